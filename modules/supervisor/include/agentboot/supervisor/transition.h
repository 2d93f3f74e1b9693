// agentboot::supervisor, the pure transition table: Policy, State, the events, the
// actions and Step.
// Part of agentboot/supervisor.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/supervisor/environment.h"
#include "agentboot/supervisor/launcher.h"

#include <signal.h>

namespace agentboot::supervisor {

// The pure transition table.

struct Policy {
  Duration initial_backoff{std::chrono::seconds(1)};  // first restart after an exit 2
  Duration max_backoff{std::chrono::seconds(60)};     // doubling stops here (jitter included)
  double jitter_ratio = 0.2;  // delay *= 1 + jitter_ratio * event jitter (in [0, 1])
  Duration min_restart_spacing{std::chrono::seconds(1)};  // launches at least this far apart
  Duration stable_after{std::chrono::seconds(60)};        // a longer run resets the back-off
  int max_restarts = 5;                                   // within restart_window, then kCrashLoop
  Duration restart_window{std::chrono::minutes(10)};
  // SIGINT, then SIGKILL to the group after this; below systemd's 5 min TimeoutStopSec.
  Duration kill_timeout{std::chrono::seconds(120)};
  // How long to wait for _diag/SelfUpdate-*.log.succeed|.failed after exit 3/4 before
  // relaunching anyway (AgentService.js relaunches blindly after 5 s).
  Duration update_timeout{std::chrono::seconds(120)};
  bool once = false;  // --once: the first non-update exit ends supervision
  size_t tally_size = 10;
};

// kPaused: no listener runs and none will until ResumeRequested (drain, key rotation); it is not
// an end: only kDone carries an outcome.
enum class Phase {
  kIdle,
  kStarting,
  kRunning,
  kStopping,
  kBackoff,
  kAwaitingUpdate,
  kDone,
  kPaused
};
enum class Outcome {
  kSucceeded,
  kStopped,
  kTerminated,
  kListenerFailed,
  kCrashLoop,
  kLaunchFailed,
  kKilled
};
std::string_view PhaseName(Phase phase) noexcept;
std::string_view OutcomeName(Outcome outcome) noexcept;
int SupervisorExitCode(Outcome outcome) noexcept;  // the table at the top of this file

struct Death {
  TimePoint at;
  ExitStatus status;
  bool restarted = false;  // counted against max_restarts
};

struct State {
  Policy policy;
  Phase phase = Phase::kIdle;
  int pid = 0;             // the listener while kRunning/kStopping
  TimePoint started_at{};  // last successful launch
  bool ever_started = false;
  int consecutive_failures = 0;  // drives the back-off; reset by a run >= stable_after
  bool stop_pending = false;     // stop asked while kStarting
  bool pause_pending = false;    // pause asked while kStarting
  bool pausing = false;          // this kStopping is a pause: the exit leads to kPaused
  bool resume_pending = false;   // resume asked while pausing: relaunch right after the exit
  bool kill_sent = false;
  std::optional<TimePoint> deadline;  // the one pending timer (meaning depends on phase)
  std::vector<Death> tally;           // last tally_size deaths, oldest first
  std::optional<Outcome> outcome;     // set in kDone
  std::optional<ExitStatus> last_exit;
};

// Events. `jitter` is a uniform draw in [0, 1] made by the caller: Step has no randomness.
struct Start {};
struct ChildStarted {
  int pid = 0;
};
struct LaunchFailed {
  std::string detail;
  double jitter = 0;
};
// What the caller's exit hook decided:
//  kRestart          restart with back-off, counted against the restart budget (a listener
//                    failure the hook recognised, e.g. a session conflict after a crash);
//  kRelaunch         relaunch at once, not counted (the hook repaired the cause, e.g. it
//                    registered an agent deleted on the server again);
//  kBackoffUncounted restart with back-off, not counted (the cause is outside the listener,
//                    e.g. Azure DevOps is unreachable: a crash loop is about the listener, not
//                    the network);
//  kStop             end supervision (kStopped).
enum class ExitDecision { kFollowPolicy, kRestart, kRelaunch, kBackoffUncounted, kStop };
struct ChildExited {
  int pid = 0;
  ExitStatus status;
  double jitter = 0;
  ExitDecision decision = ExitDecision::kFollowPolicy;
};
struct Timeout {};
struct StopRequested {
  int signal = SIGTERM;
};
struct UpdateSwapped {
  bool succeeded = true;
  std::string marker;
};
struct PauseRequested {};
struct ResumeRequested {};
// Stop the running listener with SIGINT and launch it again (Hooks::make_launch_spec runs again,
// e.g. after a re-registration): a pause immediately followed by a resume.
// `for_a_replaced_listener`: the listener running when it was asked has exited and another was
// launched since; that launch already is the replacement, so the request is void (stopping the
// new listener while it creates its session would only leave that session behind).
struct RecycleRequested {
  bool for_a_replaced_listener = false;
};
using Event = std::variant<Start, ChildStarted, LaunchFailed, ChildExited, Timeout, StopRequested,
                           UpdateSwapped, PauseRequested, ResumeRequested, RecycleRequested>;

// Actions, executed in order by the loop.
struct Launch {};
struct SendSignal {
  int pid = 0;
  int signal = SIGINT;
  bool whole_group = false;
};
struct LogMessage {
  LogLevel level = LogLevel::kInfo;
  std::string message;
  std::vector<LogField> fields;
};
struct StartWatchingUpdate {};
struct Exit {
  Outcome outcome = Outcome::kSucceeded;
  int code = 0;  // SupervisorExitCode(outcome)
};
using Action = std::variant<Launch, SendSignal, LogMessage, StartWatchingUpdate, Exit>;

struct Transition {
  State next;
  std::vector<Action> actions;
  std::optional<TimePoint> deadline;  // == next.deadline: feed Timeout once now >= deadline
};

State InitialState(Policy policy);
// Pure. Stop: SIGINT to the listener only (it cancels its job and stops its worker; SIGTERM kills
// a .NET 10 listener at once, agent-contract §4), SIGKILL to the whole group at the kill
// deadline; a second stop request while stopping sends SIGKILL at once. A Timeout before the
// deadline, or an event that does not apply to the phase, changes nothing.
// Pause: stops a running listener exactly like a stop, but its exit leads to kPaused (no outcome,
// no Exit, not counted as a restart; a warning when SIGKILL was needed). Asked while kStarting, it
// starts once the child has started; a later launch failure pauses, but a failed FIRST launch is
// still kLaunchFailed (as with a stop). From kIdle, kBackoff or kAwaitingUpdate it pauses at once.
// Resume: relaunches at once from kPaused. Asked while pausing, it is remembered and the listener
// is relaunched right after the exit instead of pausing; asked while a pause waits in kStarting,
// it cancels that pause. The latest of pause and resume wins. A stop always wins: in kPaused it
// ends kStopped at once; while pausing it turns the pause into a real stop (no extra signal; a
// further stop sends SIGKILL). Elsewhere pause and resume change nothing.
Transition Step(const State& state, const Event& event, TimePoint now);
// The delay before restart number `failures` (>= 1), jitter in [0, 1].
Duration BackoffDelay(const Policy& policy, int failures, double jitter);

}  // namespace agentboot::supervisor

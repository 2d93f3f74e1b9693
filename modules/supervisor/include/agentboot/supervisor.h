// agentboot::supervisor — runs the official Agent.Listener as a long-lived child and keeps it up.
//
// Three layers (style guide §3, after s6-supervise):
//  * ChildLauncher: the seam that spawns, signals and reaps the listener (fork/exec, own session,
//    reset signal mask, exec errors reported synchronously).
//  * Step: a PURE transition function (state, event, now) -> (next state, actions, deadline). All
//    restart, back-off, stop, pause and update decisions live here and are unit-tested without I/O.
//  * Supervisor: a single-threaded loop around Step (signalfd, child reaping, output pipes, the
//    self-update watcher, commands posted from other threads, one deadline).
//
// Supervisor exit codes (SupervisorExitCode; the executable owns the final table):
//   0  kSucceeded     listener exited 0 (normal end, or the one --once job done)
//   0  kStopped       agentboot was asked to stop and the listener ended after SIGINT
//   10 kTerminated    listener exit 1 (not configured / non-retryable): check the server
//   11 kListenerFailed --once mode: the listener crashed; the one run is over, not retried
//   12 kCrashLoop     more than Policy::max_restarts restarts within Policy::restart_window
//   13 kLaunchFailed  the first launch failed (bad path, permissions, setuid): a config error
//   14 kKilled        stop requested, the listener ignored SIGINT and was SIGKILLed (job lost)
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

#include <signal.h>

namespace agentboot::supervisor {

// ---------------------------------------------------------------------------------------------
// Launching the listener.

// A file descriptor that closes itself. Move-only: base's one descriptor owner.
using UniqueFd = ::agentboot::UniqueFd;

struct LaunchSpec {
  // argv[0] containing no '/' is looked up on PATH from `env` (in the parent, before fork).
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // the child's whole environment (see ScrubEnvironment)
  std::string working_directory;           // empty: inherit
  // Privilege drop, applied in the child before exec in the order setgroups, setgid, setuid.
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> supplementary_groups;  // used only when uid or gid is set
};

struct SpawnedChild {
  int pid = -1;        // also the process group and session id (the child calls setsid)
  UniqueFd stdout_fd;  // read ends, non-blocking and close-on-exec; owned by the caller
  UniqueFd stderr_fd;
};

struct ExitStatus {
  int code = -1;   // exit code, or -1 when killed by a signal
  int signal = 0;  // the terminating signal, or 0
  bool signaled() const noexcept { return signal != 0; }
  std::string ToString() const;  // "exit 2" or "signal 11 (SIGSEGV)"
};

// Spawns and controls long-lived children. Only signal a pid from the thread that reaps it
// (pid reuse). The real implementation is not thread-safe per child; use it from one loop.
class ChildLauncher {
 public:
  ChildLauncher() = default;
  ChildLauncher(const ChildLauncher&) = delete;
  ChildLauncher& operator=(const ChildLauncher&) = delete;
  virtual ~ChildLauncher() = default;
  // The child starts in its own session with an empty signal mask and default dispositions.
  // Fails synchronously when exec (or chdir/setuid/... in the child) fails: kNotFound for a
  // missing program, kPermissionDenied for EACCES/EPERM, kInvalidArgument for an empty argv.
  [[nodiscard]] virtual Result<SpawnedChild> Spawn(const LaunchSpec& spec) = 0;
  // kill(pid) or kill(-pid) for the whole process group. kNotFound when it is already gone.
  [[nodiscard]] virtual Status Signal(int pid, int signal, bool whole_group) = 0;
  // Non-blocking wait for `pid`: nullopt while it runs. kNotFound for an unknown pid.
  [[nodiscard]] virtual Result<std::optional<ExitStatus>> TryReap(int pid) = 0;
};

ChildLauncher& PosixChildLauncher();  // owned by the module, never deleted

// The state letter of /proc/<pid>/stat ('R', 'S', 'T' stopped, 't' traced, 'Z', ...); nullopt
// when the process is gone or the text is malformed.
std::optional<char> ParseProcStatState(std::string_view stat);
std::optional<char> ProcessState(int pid);
// True for 'T' (SIGSTOP) and 't' (stopped by a debugger): alive, but serving nothing.
bool IsStoppedState(std::optional<char> state);

// The --run-as user's login facts from the passwd database (getpwnam_r).
struct UserAccount {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
  std::string shell;
  std::vector<uint32_t> groups;  // supplementary groups (getgrouplist)
};
// kInvalidArgument with advice when there is no such user.
[[nodiscard]] Result<UserAccount> LookUpUser(const std::string& name);

// PATH of a --run-as listener: root's PATH is not the job user's.
inline constexpr std::string_view kDefaultListenerPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ListenerEnvironment {
  // --env items: "NAME" copies NAME from agentboot's environment, "NAME=VALUE" sets it. They
  // pass even when not on the allow-list, never agentboot's own secrets (see EnvItemProblem).
  std::vector<std::string> explicit_vars;
  // With --run-as: HOME, USER, LOGNAME and SHELL from the account, PATH kDefaultListenerPath.
  std::optional<UserAccount> run_as;
};

// "" when `item` is a valid --env item; otherwise why not (a bad name, one of agentboot's own
// variables such as AZP_TOKEN or AGENTBOOT_*, invalid UTF-8 or a control character).
std::string EnvItemProblem(const std::string& item);

// The listener's environment from an allow-list of `parent`: PATH, LANG, LANGUAGE, LC_*, TZ, TERM,
// HOME, USER, LOGNAME, SHELL, TMPDIR, SSL_CERT_FILE/DIR, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT,
// HTTP(S)_PROXY/ALL_PROXY without user-info, NO_PROXY, AGENT_* and VSTS_AGENT_* knobs (except
// names with a word such as TOKEN, SECRET, PASSWORD, PAT, KEY), agent.disableupdate, and the
// identity variables jobs may use (AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT,
// AZP_URL, ...), which VSO_AGENT_IGNORE hides from the capability list. Then `options`.
std::map<std::string, std::string> BuildListenerEnvironment(
    const std::map<std::string, std::string>& parent, const ListenerEnvironment& options);

// BuildListenerEnvironment(parent, {}) without the names in `extra_drop` (exact, or "PREFIX*").
std::map<std::string, std::string> ScrubEnvironment(
    const std::map<std::string, std::string>& parent,
    const std::vector<std::string>& extra_drop = {});

// ---------------------------------------------------------------------------------------------
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
struct RecycleRequested {};
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

// ---------------------------------------------------------------------------------------------
// The loop.

enum class Stream { kStdout, kStderr };

struct Hooks {
  // Called before every launch: the listener path may change after a self-update. Required.
  std::function<Result<LaunchSpec>()> make_launch_spec;
  // One call per output line of the listener, without the newline (the caller logs it tagged
  // "listener"). Lines longer than 64 KiB are split.
  std::function<void(std::string_view line, Stream stream)> on_line;
  // Called after every listener exit, before the policy applies; also after an exit asked for by
  // a stop or pause, where its decision is ignored. Optional.
  std::function<ExitDecision(const ExitStatus& status)> on_exit;
  // Called after every transition (status file, metrics). Optional.
  std::function<void(const State& state)> on_transition;
  // Called for every SIGINT, SIGTERM, SIGHUP and Options::extra_signals signal received, on the
  // loop thread. true: the caller handled it (usually by Post()ing a command) and the loop does
  // nothing more. Unset or false: SIGINT, SIGTERM and SIGHUP stop; an extra signal is ignored.
  std::function<bool(int signal)> on_signal;
};

struct Options {
  Policy policy;
  std::string agent_root;  // the update watcher looks in <agent_root>/_diag
  // Rescan of _diag while awaiting an update when inotify is not available (no _diag yet).
  Duration update_poll_interval{std::chrono::seconds(1)};
  // More signals for Hooks::on_signal (e.g. SIGUSR1), blocked and read like the stop signals.
  // SIGKILL, SIGSTOP and SIGCHLD are refused (Run fails with kInvalidArgument).
  std::vector<int> extra_signals;
};

struct RunResult {
  Outcome outcome = Outcome::kSucceeded;
  int exit_code = 0;  // SupervisorExitCode(outcome)
  std::optional<ExitStatus> last_exit;
  int launches = 0;
};

// What another thread may ask of a running loop (see Supervisor::Post).
enum class Command { kStop, kPause, kResume, kRecycle };

// How many stop requests the stop signals so far amount to. One stop can arrive twice within a
// moment: GNU `timeout` signals its child and then the child's process group (coreutils
// src/timeout.c, cleanup()), and an init that forwards signals may add its own. A repeat within
// `window` of the last request is the same request; only a signal after the window is a new
// one (for `run`: hurry the drain).
// Time comes from the Clock seam. Not thread-safe: call it from the loop thread (Hooks::on_signal).
class StopSignals {
 public:
  enum class Meaning {
    kFirst,   // the first stop request
    kRepeat,  // within the window of the last request: the same request, nothing to do
    kSecond,  // a second request (after the window)
    kLater,   // a third or later request
  };
  static constexpr Duration kDefaultWindow{std::chrono::seconds(2)};
  explicit StopSignals(Clock& clock, Duration window = kDefaultWindow)
      : clock_(clock), window_(window) {}
  Meaning Receive();
  int requests() const noexcept { return requests_; }

 private:
  Clock& clock_;
  Duration window_;
  int requests_ = 0;
  TimePoint last_request_{};
};
std::string_view StopSignalMeaningName(StopSignals::Meaning meaning) noexcept;

// Runs until the Step table reaches kDone. Call Run from one thread; it blocks SIGINT, SIGTERM,
// SIGHUP, SIGCHLD and Options::extra_signals in that thread, reads them from a signalfd and
// restores the mask on return. The caller must block them in every other thread. Each signal
// but SIGCHLD goes to Hooks::on_signal first; unhandled, SIGINT, SIGTERM and SIGHUP mean "stop".
// Hooks run on the loop thread, and no lock is held while they run.
class Supervisor {
 public:
  Supervisor() = default;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
  virtual ~Supervisor() = default;
  // Errors only when the loop cannot be set up (signalfd, eventfd, a refused extra signal);
  // listener failures are outcomes.
  [[nodiscard]] virtual Result<RunResult> Run() = 0;
  // Thread-safe, never blocks on the loop; callable from any thread and from inside a hook.
  // Wakes the loop, which feeds StopRequested{0}, PauseRequested or ResumeRequested to Step in
  // FIFO order. Commands posted before Run are applied right after the initial Start; commands
  // posted after Run returned are dropped.
  virtual void Post(Command command) = 0;
};

// `env` (clock, fs, log, random) and `launcher` must outlive the supervisor.
std::unique_ptr<Supervisor> NewSupervisor(Env& env, ChildLauncher& launcher, Options options,
                                          Hooks hooks);

}  // namespace agentboot::supervisor

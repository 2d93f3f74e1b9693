// agentboot::supervisor, the loop around Step: hooks, options, the result, commands
// posted from other threads, stop-signal counting and the Supervisor.
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
#include "agentboot/supervisor/transition.h"

#include <signal.h>

namespace agentboot::supervisor {

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
  // Wakes the loop, which feeds StopRequested{0}, PauseRequested, ResumeRequested or
  // RecycleRequested to Step in FIFO order. A kRecycle is void when a listener was launched after
  // it was posted: that launch already replaced the listener it was meant for. Commands posted
  // before Run are applied right after the initial Start; commands posted after Run returned are
  // dropped.
  virtual void Post(Command command) = 0;
};

// `env` (clock, fs, log, random) and `launcher` must outlive the supervisor.
std::unique_ptr<Supervisor> NewSupervisor(Env& env, ChildLauncher& launcher, Options options,
                                          Hooks hooks);

}  // namespace agentboot::supervisor

// The supervisor's transition table: every restart, back-off, stop and update decision. Pure:
// no clock, no randomness, no I/O (style guide §3). Pause and resume: transition_pause.cc.

#include <algorithm>
#include <string>

#include "agentboot/supervisor.h"

#include "stepper.h"

namespace agentboot::supervisor {
namespace detail {
namespace {

std::string Millis(Duration d) { return std::to_string(d.count()) + "ms"; }

}  // namespace

Transition Stepper::Finish() {
  t_.deadline = t_.next.deadline;
  return std::move(t_);
}

void Stepper::operator()(const Start&) {
  if (s().phase == Phase::kIdle) LaunchNow();
}

void Stepper::operator()(const ChildStarted& e) {
  if (s().phase != Phase::kStarting) return;
  s().phase = Phase::kRunning;
  s().pid = e.pid;
  s().started_at = now_;
  s().ever_started = true;
  s().deadline.reset();
  t_.actions.emplace_back(Info("listener started", {{"pid", std::to_string(e.pid)}}));
  if (s().stop_pending) return BeginStop();
  if (s().pause_pending) BeginPause();
}

void Stepper::operator()(const LaunchFailed& e) {
  if (s().phase != Phase::kStarting) return;
  t_.actions.emplace_back(
      LogMessage{LogLevel::kError, "listener launch failed", {{"detail", e.detail}}});
  // Never started: a wrong path or permission is a configuration error, retrying hides it.
  // After an update a launch can fail while files move: treat it like a crash.
  if (!s().ever_started) return Done(Outcome::kLaunchFailed);
  if (s().stop_pending) return Done(Outcome::kStopped);
  if (s().pause_pending) {
    EnterPaused();
    t_.actions.emplace_back(Info("listener paused"));
    return;
  }
  const ExitStatus status{127, 0};  // what a shell reports for "cannot execute"
  Record(status, true);
  Failure(status, e.jitter);
}

void Stepper::operator()(const ChildExited& e) {
  if (e.pid != s().pid || (s().phase != Phase::kRunning && s().phase != Phase::kStopping)) {
    return;
  }
  s().pid = 0;
  s().last_exit = e.status;
  const bool counted =
      s().phase == Phase::kRunning && e.decision != ExitDecision::kStop && WillRestart(e);
  Record(e.status, counted);
  t_.actions.emplace_back(Info("listener exited", {{"status", e.status.ToString()}}));
  if (s().phase == Phase::kStopping) {
    if (s().pausing) return FinishPause(e.status);
    return Done(s().kill_sent ? Outcome::kKilled : Outcome::kStopped);
  }
  if (e.decision == ExitDecision::kStop) return Done(Outcome::kStopped);
  if (e.decision == ExitDecision::kRestart) return Failure(e.status, e.jitter);
  if (e.decision == ExitDecision::kRelaunch) return LaunchAfterSpacing();
  if (e.decision == ExitDecision::kBackoffUncounted) return ScheduleRestart(e.status, e.jitter);
  const int code = e.status.code;
  if (!e.status.signaled() && (code == 3 || code == 4)) return AwaitUpdate();
  if (!e.status.signaled() && code == 0) return Done(Outcome::kSucceeded);
  if (!e.status.signaled() && code == 1) return Done(Outcome::kTerminated);
  // --once: a crash ends the one run; a second job must not run on this agent.
  if (s().policy.once) return Done(Outcome::kListenerFailed);
  Failure(e.status, e.jitter);  // exit 2, any other code, or a signal such as SIGSEGV
}

void Stepper::operator()(const Timeout&) {
  if (!s().deadline || now_ < *s().deadline) return;
  s().deadline.reset();
  switch (s().phase) {
    case Phase::kStopping:
      // Also while pausing: a listener that outlives SIGKILL cannot be replaced safely later.
      if (s().kill_sent) {
        t_.actions.emplace_back(LogMessage{LogLevel::kError, "listener survived SIGKILL", {}});
        return Done(Outcome::kKilled);
      }
      return Kill();
    case Phase::kBackoff:
      return LaunchNow();
    case Phase::kAwaitingUpdate:
      t_.actions.emplace_back(Warn("no self-update result in _diag; relaunching anyway",
                                   {{"waited", Millis(s().policy.update_timeout)}}));
      return LaunchAfterSpacing();
    default:
      return;
  }
}

void Stepper::operator()(const StopRequested& e) {
  t_.actions.emplace_back(Info(
      "stop requested",
      {e.signal == 0 ? LogField{"by", "command"} : LogField{"signal", std::to_string(e.signal)}}));
  switch (s().phase) {
    case Phase::kIdle:
    case Phase::kBackoff:
    case Phase::kAwaitingUpdate:
    case Phase::kPaused:
      return Done(Outcome::kStopped);
    case Phase::kStarting:
      s().stop_pending = true;
      s().pause_pending = false;  // a stop wins over a pause
      return;
    case Phase::kRunning:
      return BeginStop();
    case Phase::kStopping:
      if (s().pausing) {
        // The SIGINT is already on its way: the exit now ends supervision instead of pausing.
        s().pausing = false;
        s().resume_pending = false;
        return;
      }
      // A second request means "now": do not make the operator wait for the kill deadline.
      if (!s().kill_sent) Kill();
      return;
    case Phase::kDone:
      return;
  }
}

void Stepper::operator()(const UpdateSwapped& e) {
  if (s().phase != Phase::kAwaitingUpdate) return;
  // A failed update leaves the old binaries in place: relaunch them; the server offers the
  // update again, and a loop of updates ends in kCrashLoop through the restart budget.
  if (e.succeeded) {
    t_.actions.emplace_back(Info("self-update finished", {{"marker", e.marker}}));
  } else {
    t_.actions.emplace_back(Warn("self-update failed; relaunching", {{"marker", e.marker}}));
  }
  LaunchAfterSpacing();
}

bool Stepper::WillRestart(const ChildExited& e) const {
  if (e.decision == ExitDecision::kRestart) return true;
  if (e.decision == ExitDecision::kRelaunch || e.decision == ExitDecision::kBackoffUncounted) {
    return false;
  }
  if (e.status.signaled()) return !t_.next.policy.once;
  const int code = e.status.code;
  if (code == 0 || code == 1) return false;
  return code == 3 || code == 4 || !t_.next.policy.once;
}

void Stepper::Record(const ExitStatus& status, bool restarted) {
  auto& tally = s().tally;
  tally.push_back(Death{now_, status, restarted});
  const size_t cap = std::max<size_t>(s().policy.tally_size, 1);
  if (tally.size() > cap) tally.erase(tally.begin(), tally.end() - static_cast<long>(cap));
}

int Stepper::RecentRestarts() const {
  const TimePoint since = now_ - t_.next.policy.restart_window;
  return static_cast<int>(
      std::count_if(t_.next.tally.begin(), t_.next.tally.end(),
                    [&](const Death& d) { return d.restarted && d.at >= since; }));
}

bool Stepper::OverBudget() {
  if (RecentRestarts() <= s().policy.max_restarts) return false;
  t_.actions.emplace_back(
      LogMessage{LogLevel::kError,
                 "listener restarts too often; giving up",
                 {{"restarts", std::to_string(RecentRestarts())},
                  {"window", Millis(s().policy.restart_window)},
                  {"advice",
                   "read the listener's _diag logs and the lines above; fix the cause, then start "
                   "agentboot again"}}});
  Done(Outcome::kCrashLoop);
  return true;
}

void Stepper::Failure(const ExitStatus& status, double jitter) {
  if (OverBudget()) return;
  ScheduleRestart(status, jitter);
}

void Stepper::ScheduleRestart(const ExitStatus& status, double jitter) {
  const bool stable = s().ever_started && now_ - s().started_at >= s().policy.stable_after;
  s().consecutive_failures = stable ? 1 : s().consecutive_failures + 1;
  const Duration delay = BackoffDelay(s().policy, s().consecutive_failures, jitter);
  const TimePoint at = std::max(now_ + delay, s().started_at + s().policy.min_restart_spacing);
  s().phase = Phase::kBackoff;
  s().deadline = at;
  t_.actions.emplace_back(Warn("listener failed; restarting after back-off",
                               {{"status", status.ToString()},
                                {"delay", Millis(std::chrono::duration_cast<Duration>(at - now_))},
                                {"attempt", std::to_string(s().consecutive_failures)}}));
}

void Stepper::AwaitUpdate() {
  if (OverBudget()) return;
  s().phase = Phase::kAwaitingUpdate;
  s().deadline = now_ + s().policy.update_timeout;
  t_.actions.emplace_back(Info("listener is updating itself; waiting for the swap"));
  t_.actions.emplace_back(StartWatchingUpdate{});
}

void Stepper::LaunchNow() {
  s().phase = Phase::kStarting;
  s().deadline.reset();
  s().kill_sent = false;
  t_.actions.emplace_back(Launch{});
}

void Stepper::LaunchAfterSpacing() {
  const TimePoint at = s().started_at + s().policy.min_restart_spacing;
  if (!s().ever_started || at <= now_) return LaunchNow();
  s().phase = Phase::kBackoff;
  s().deadline = at;
}

void Stepper::BeginStop() {
  s().phase = Phase::kStopping;
  s().stop_pending = false;
  s().pause_pending = false;
  s().deadline = now_ + s().policy.kill_timeout;
  // SIGINT to the listener alone: it cancels the job through its worker (agent-contract §4);
  // SIGTERM would kill a .NET 10 listener at once.
  t_.actions.emplace_back(SendSignal{s().pid, SIGINT, false});
}

void Stepper::Kill() {
  s().kill_sent = true;
  // After SIGKILL the exit comes at once; the deadline only guards against a stuck process.
  s().deadline = now_ + s().policy.kill_timeout;
  t_.actions.emplace_back(Warn("listener did not stop; sending SIGKILL to its process group"));
  t_.actions.emplace_back(SendSignal{s().pid, SIGKILL, true});
}

void Stepper::Done(Outcome outcome) {
  s().phase = Phase::kDone;
  s().outcome = outcome;
  s().deadline.reset();
  const LogLevel level = outcome == Outcome::kSucceeded || outcome == Outcome::kStopped
                             ? LogLevel::kInfo
                             : LogLevel::kWarning;
  t_.actions.emplace_back(
      LogMessage{level, "supervision finished", {{"outcome", std::string(OutcomeName(outcome))}}});
  t_.actions.emplace_back(Exit{outcome, SupervisorExitCode(outcome)});
}

}  // namespace detail

State InitialState(Policy policy) {
  State state;
  state.policy = policy;
  return state;
}

Transition Step(const State& state, const Event& event, TimePoint now) {
  detail::Stepper stepper(state, now);
  if (state.phase != Phase::kDone) std::visit(stepper, event);
  return stepper.Finish();
}

Duration BackoffDelay(const Policy& policy, int failures, double jitter) {
  ExponentialBackoff backoff;
  backoff.initial = policy.initial_backoff;
  backoff.max = policy.max_backoff;
  backoff.jitter_above = policy.jitter_ratio;
  backoff.jitter_within_max = true;
  return agentboot::BackoffDelay(backoff, failures, jitter);
}

}  // namespace agentboot::supervisor

// The single-threaded loop around Step: one poll over the signalfd, the posted-command eventfd,
// the listener's output pipes and the update watcher, with one timeout derived from the
// transition's deadline. No sleeps, no busy loop: poll wakes only for a signal, a command, output,
// a _diag change or the deadline.

#include <algorithm>
#include <deque>
#include <list>

#include "command_queue.h"
#include "line_reader.h"
#include "signal_fd.h"
#include "update_watcher.h"
#include <poll.h>

namespace agentboot::supervisor {
namespace {

class PosixSupervisor final : public Supervisor {
 public:
  PosixSupervisor(Env& env, ChildLauncher& launcher, Options options, Hooks hooks)
      : env_(env),
        launcher_(launcher),
        options_(std::move(options)),
        hooks_(std::move(hooks)),
        watcher_(env.fs, JoinPath(options_.agent_root, "_diag")) {}

  Result<RunResult> Run() override {
    if (!hooks_.make_launch_spec) {
      return Fail(ErrorCode::kInvalidArgument, "supervisor", "no launch spec factory");
    }
    auto signals = detail::SignalFd::Open(options_.extra_signals);
    if (!signals) return Fail(signals.error());
    if (auto opened = commands_.Open(); !opened) return Fail(opened.error());
    signals_ = std::move(*signals);
    state_ = InitialState(options_.policy);
    result_ = RunResult{};
    Feed(Start{});
    ApplyCommands();  // those posted before Run
    while (state_.phase != Phase::kDone) WaitOnce();
    commands_.Close();
    for (auto& reader : readers_) reader.Drain(hooks_.on_line);  // the last lines of the child
    readers_.clear();
    watcher_.Stop();
    signals_.reset();
    result_.last_exit = state_.last_exit;
    return result_;
  }

  void Post(Command command) override { commands_.Post(command); }

 private:
  // Applies events until none is left; actions may produce follow-up events (a launch yields
  // ChildStarted or LaunchFailed).
  void Feed(Event first) {
    std::deque<Event> queue{std::move(first)};
    while (!queue.empty()) {
      Transition t = Step(state_, queue.front(), env_.clock.Now());
      queue.pop_front();
      state_ = std::move(t.next);
      if (hooks_.on_transition) hooks_.on_transition(state_);
      for (auto& action : t.actions) {
        std::visit([&](auto& a) { Execute(a, queue); }, action);
      }
    }
  }

  void Execute(const Launch&, std::deque<Event>& queue) {
    ++result_.launches;
    commands_.CountLaunch();
    auto spec = hooks_.make_launch_spec();
    if (!spec) {
      queue.emplace_back(LaunchFailed{spec.error().ToString(), Jitter()});
      return;
    }
    watcher_.Snapshot();
    auto child = launcher_.Spawn(*spec);
    if (!child) {
      queue.emplace_back(LaunchFailed{child.error().ToString(), Jitter()});
      return;
    }
    readers_.emplace_back(std::move(child->stdout_fd), Stream::kStdout);
    readers_.emplace_back(std::move(child->stderr_fd), Stream::kStderr);
    queue.emplace_back(ChildStarted{child->pid});
  }

  void Execute(const SendSignal& a, std::deque<Event>&) {
    if (auto sent = launcher_.Signal(a.pid, a.signal, a.whole_group); !sent) {
      // Usually the child is already gone and its SIGCHLD is on the way.
      env_.log.Log(LogLevel::kDebug, "supervisor", "signal not delivered",
                   {{"error", sent.error().ToString()}});
    }
  }

  void Execute(const LogMessage& a, std::deque<Event>&) {
    env_.log.Log(a.level, "supervisor", a.message, a.fields);
  }

  void Execute(const StartWatchingUpdate&, std::deque<Event>& queue) {
    watcher_.Start();
    next_rescan_ = env_.clock.Now() + options_.update_poll_interval;
    if (auto swapped = watcher_.Check()) queue.emplace_back(std::move(*swapped));
  }

  void Execute(const Exit& a, std::deque<Event>&) {
    result_.outcome = a.outcome;
    result_.exit_code = a.code;
  }

  double Jitter() { return env_.random.Uniform(0.0, 1.0); }

  // Milliseconds until the earliest of the Step deadline and the _diag rescan, or -1.
  int PollTimeout(TimePoint now) const {
    std::optional<TimePoint> wake = state_.deadline;
    if (watcher_.active() && watcher_.fd() < 0) {
      wake = wake ? std::min(*wake, next_rescan_) : next_rescan_;
    }
    if (!wake) return -1;
    if (*wake <= now) return 0;
    // Round up: waking a millisecond early would only spin once more.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count();
    return static_cast<int>(std::min<int64_t>(left, int64_t{24} * 3600 * 1000));
  }

  void WaitOnce() {
    readers_.remove_if([](const detail::LineReader& r) { return !r.open(); });
    if (state_.phase != Phase::kAwaitingUpdate && watcher_.active()) watcher_.Stop();
    std::vector<pollfd> fds{{signals_->fd(), POLLIN, 0}, {commands_.fd(), POLLIN, 0}};
    if (watcher_.active() && watcher_.fd() >= 0) fds.push_back({watcher_.fd(), POLLIN, 0});
    for (const auto& reader : readers_) fds.push_back({reader.fd(), POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), PollTimeout(env_.clock.Now()));
    if (ready < 0 && errno != EINTR) {
      env_.log.Log(LogLevel::kError, "supervisor", "poll failed", {});
    }
    for (auto& reader : readers_) reader.Drain(hooks_.on_line);
    HandleSignals();
    ApplyCommands();
    if (state_.phase == Phase::kAwaitingUpdate && watcher_.active()) CheckUpdate();
    if (state_.deadline && env_.clock.Now() >= *state_.deadline) Feed(Timeout{});
  }

  void HandleSignals() {
    for (int sig : signals_->ReadAll()) {
      if (sig == SIGCHLD) continue;                             // reaped below, whatever woke us
      if (hooks_.on_signal && hooks_.on_signal(sig)) continue;  // the caller's, e.g. a Post
      if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
        Feed(StopRequested{sig});
      } else {
        env_.log.Log(LogLevel::kDebug, "supervisor", "signal ignored",
                     {{"signal", std::to_string(sig)}});
      }
    }
    // Reaping after every wake also covers a SIGCHLD coalesced with an earlier one.
    if (state_.pid <= 0) return;
    auto reaped = launcher_.TryReap(state_.pid);
    if (!reaped) {
      env_.log.Log(LogLevel::kError, "supervisor", "cannot wait for the listener",
                   {{"error", reaped.error().ToString()}});
      Feed(ChildExited{state_.pid, ExitStatus{-1, SIGKILL}, Jitter()});
      return;
    }
    if (!reaped->has_value()) return;
    const ExitStatus status = **reaped;
    const ExitDecision decision =
        hooks_.on_exit ? hooks_.on_exit(status) : ExitDecision::kFollowPolicy;
    Feed(ChildExited{state_.pid, status, Jitter(), decision});
  }

  // Feeds posted commands in FIFO order, including those a hook posts meanwhile.
  void ApplyCommands() {
    while (state_.phase != Phase::kDone) {
      const std::optional<detail::CommandQueue::Posted> posted = commands_.Pop();
      if (!posted) return;
      switch (posted->command) {
        case Command::kStop:
          Feed(StopRequested{0});
          break;
        case Command::kPause:
          Feed(PauseRequested{});
          break;
        case Command::kResume:
          Feed(ResumeRequested{});
          break;
        case Command::kRecycle:
          // A launch since the post means the listener it was for is gone already.
          Feed(RecycleRequested{posted->launches != result_.launches});
          break;
      }
    }
  }

  void CheckUpdate() {
    const TimePoint now = env_.clock.Now();
    if (watcher_.fd() < 0 && now < next_rescan_) return;
    next_rescan_ = now + options_.update_poll_interval;
    if (auto swapped = watcher_.Check()) Feed(std::move(*swapped));
  }

  Env& env_;
  ChildLauncher& launcher_;
  Options options_;
  Hooks hooks_;
  detail::UpdateWatcher watcher_;
  std::unique_ptr<detail::SignalFd> signals_;
  detail::CommandQueue commands_;
  std::list<detail::LineReader> readers_;
  State state_;
  RunResult result_;
  TimePoint next_rescan_{};
};

}  // namespace

std::unique_ptr<Supervisor> NewSupervisor(Env& env, ChildLauncher& launcher, Options options,
                                          Hooks hooks) {
  return std::make_unique<PosixSupervisor>(env, launcher, std::move(options), std::move(hooks));
}

}  // namespace agentboot::supervisor

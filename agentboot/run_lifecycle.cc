#include "run_lifecycle.h"

#include <csignal>

#include "admin_flags.h"
#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "run";

std::string SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(signal);
  }
}

}  // namespace

Result<lifecycle::Policy> LifecyclePolicyFrom(const RunFlags& flags) {
  lifecycle::Policy policy;
  policy.drain_timeout = std::chrono::seconds(flags.drain_timeout_seconds);
  policy.poll_interval = Duration(static_cast<int64_t>(flags.drain_poll_seconds * 1000));
  // --once hosts are ephemeral: a drained --once agent is always removed.
  policy.keep_registration = flags.keep_registration && !flags.once;
  policy.listener_stop_timeout = std::chrono::seconds(flags.stop_timeout_seconds + 30);
  if (auto idle = CheckIdleTimeout(flags); !idle) return Fail(idle.error());  // idle_watch.cc
  if (!flags.rotate_key_every.empty()) {
    auto every = ParseAdminDuration("--rotate-key-every", flags.rotate_key_every);
    if (!every) return Fail(every.error());
    if (*every < std::chrono::minutes(1)) {
      return Fail(ErrorCode::kInvalidArgument, "--rotate-key-every " + flags.rotate_key_every,
                  "too short", "Rotate at most once a minute (30d is a sensible period).");
    }
    policy.rotate_every = *every;
    policy.rotate_retry = std::min<Duration>(policy.rotate_retry, *every);
  }
  return policy;
}

class RunLifecycle::SupervisorListener final : public lifecycle::ListenerControl {
 public:
  explicit SupervisorListener(supervisor::Supervisor& supervisor) : supervisor_(supervisor) {}
  void Stop() override { supervisor_.Post(supervisor::Command::kStop); }
  void Pause() override { supervisor_.Post(supervisor::Command::kPause); }
  void Resume() override { supervisor_.Post(supervisor::Command::kResume); }

 private:
  supervisor::Supervisor& supervisor_;
};

RunLifecycle::RunLifecycle(App& app, devops::Client& client, agent::AgentFiles& files,
                           const RunFlags& flags, lifecycle::Policy policy, RunHealth& health,
                           std::function<Status()> after_key_written)
    : app_(app),
      flags_(flags),
      policy_(policy),
      health_(health),
      mailbox_(lifecycle::NewMailbox()),
      idle_(MakeIdleWatch(app, client, files, flags)),
      agent_(
          lifecycle::NewDevopsAgentControl(client, files, app.env(), std::move(after_key_written))),
      status_(app.env(), flags.agent_dir, static_cast<int>(::getpid())),
      stop_signals_(app.env().clock) {}

RunLifecycle::~RunLifecycle() {
  if (thread_.joinable()) {
    mailbox_->Post(lifecycle::Shutdown{});
    thread_.join();
  }
  if (status_started_) (void)status_.MarkStopped();
}

// The status file follows the drain and the rotation step by step (lifecycle_status.h).
lifecycle::Callbacks RunLifecycle::StatusCallbacks() {
  lifecycle::Callbacks callbacks;
  callbacks.on_step = [this](const lifecycle::Progress& progress) { RecordStep(progress); };
  callbacks.on_key_rotated = [this] {
    (void)status_.Update([](lifecycle::RunStatus& s) { ++s.rotation.generation; });
  };
  callbacks.on_rotation_report = [this](const lifecycle::RotationReport& report) {
    (void)status_.Update([&](lifecycle::RunStatus& s) {
      s.rotation.finished_attempt = s.rotation.attempt;
      s.rotation.last_result = std::string(lifecycle::RotationResultName(report.result));
      // What failed, without the lifecycle's advice: `rotate` gives its own.
      const auto& error = report.error;
      s.rotation.last_error = !error                   ? std::string()
                              : error->context.empty() ? error->detail
                                                       : error->context + ": " + error->detail;
    });
  };
  callbacks.on_drain_started = [this](const lifecycle::DrainRequest& request) {
    health_.DrainStarted(request.reason);
    (void)status_.Update([&](lifecycle::RunStatus& s) {
      s.drain.state = lifecycle::DrainState::kDraining;
      s.drain.reason = request.reason;
    });
  };
  callbacks.on_drain_finished = [this](const lifecycle::DrainReport& report) {
    health_.DrainFinished(report);
    (void)status_.Update([&](lifecycle::RunStatus& s) {
      s.drain.state = lifecycle::DrainState::kFinished;
      s.drain.ok = report.ok();
      s.drain.cleanup = std::string(lifecycle::CleanupName(report.cleanup));
      s.drain.job_cancelled = report.job_cancelled;
      const auto& error = report.cleanup_error ? report.cleanup_error : report.acknowledge_error;
      s.drain.error = error ? error->ToString() : std::string();
    });
  };
  return callbacks;
}

void RunLifecycle::RecordStep(const lifecycle::Progress& progress) {
  const std::string step(lifecycle::StepName(progress.step));
  (void)status_.Update([&](lifecycle::RunStatus& s) {
    if (progress.sequence == lifecycle::Sequence::kDrain) {
      s.drain.step = step;
      s.drain.deadline = progress.deadline;
      s.drain.finish_by = progress.finish_by;
      return;
    }
    if (progress.step == lifecycle::Step::kDisabling) ++s.rotation.attempt;  // the first step
    s.rotation.step = progress.step == lifecycle::Step::kDone ? std::string() : step;
  });
}

void RunLifecycle::Start(supervisor::Supervisor& supervisor) {
  listener_ = std::make_unique<SupervisorListener>(supervisor);
  const ScheduledEventsMode mode = flags_.scheduled_events;
  const bool watch =
      mode == ScheduledEventsMode::kOn ||
      (mode == ScheduledEventsMode::kAuto && app_.tokens().Kind() == identity::SourceKind::kImds);
  imds_ = std::make_unique<imds::ImdsClient>(app_.transport(), imds::ImdsBaseUrl(app_.env().vars));
  lifecycle::Callbacks callbacks = StatusCallbacks();
  callbacks.acknowledge_events = [this](const std::vector<std::string>& ids) {
    return imds_->AcknowledgeEvents(ids);
  };
  status_started_ = true;
  (void)status_.Update([](lifecycle::RunStatus&) {});  // "starting", replacing an old run's
  controller_ = std::make_unique<lifecycle::Controller>(app_.env(), *mailbox_, *agent_, *listener_,
                                                        policy_, callbacks);
  thread_ = std::thread([this] { report_ = controller_->Run(); });
  if (idle_) idle_->Start(*mailbox_);  // run --idle-timeout
  if (watch) {
    events_imds_ = std::make_unique<imds::ImdsClient>(app_.polling_transport(),
                                                      imds::ImdsBaseUrl(app_.env().vars));
    events_ = std::make_unique<ScheduledEventsWatch>(
        app_, *events_imds_, imds::kScheduledEventsPollInterval,
        [this](lifecycle::DrainRequest request) { mailbox_->Post(std::move(request)); });
    events_->Start();
  }
  if (policy_.rotate_every.count() > 0) {
    app_.log().Log(LogLevel::kInfo, kSource, "the agent's key is rotated on a schedule",
                   {{"every", flags_.rotate_key_every}});
  }
}

bool RunLifecycle::OnSignal(int signal) {
  if (signal == SIGUSR1) {
    mailbox_->Post(lifecycle::RotateRequest{"SIGUSR1"});
    return true;
  }
  const auto meaning = stop_signals_.Receive();
  if (meaning == supervisor::StopSignals::Meaning::kRepeat) {
    app_.log().Log(LogLevel::kInfo, kSource, "stop signal repeated: the same request",
                   {{"signal", SignalName(signal)}, {"within", "2s"}});
    return true;
  }
  if (meaning == supervisor::StopSignals::Meaning::kFirst) {
    mailbox_->Post(lifecycle::DrainRequest{SignalName(signal), std::nullopt, {}});
    return true;
  }
  if (meaning == supervisor::StopSignals::Meaning::kSecond) {
    app_.log().Log(LogLevel::kWarning, kSource,
                   "second stop signal: stopping the listener now (a running job is cancelled)");
    mailbox_->Post(lifecycle::Hurry{});
    return true;
  }
  return false;  // the supervisor's own stop: SIGKILL when it is already stopping
}

void RunLifecycle::OnTransition(const supervisor::State& state) {
  const bool paused = state.phase == supervisor::Phase::kPaused;
  if (paused && !paused_) mailbox_->Post(lifecycle::ListenerPaused{});
  paused_ = paused;
  using supervisor::Phase;
  const bool alive = state.phase == Phase::kRunning || state.phase == Phase::kStopping;
  (void)status_.Update([&](lifecycle::RunStatus& s) {
    // A launch: the listener reads the key generation in place now (a rotation puts a new one
    // in place only while no listener runs).
    if (state.phase == Phase::kRunning && s.listener.phase != "running") {
      ++s.listener.launches;
      s.listener.key_generation = s.rotation.generation;
    }
    s.listener.pid = alive ? state.pid : 0;
    s.listener.phase = std::string(supervisor::PhaseName(state.phase));
  });
}

std::optional<lifecycle::DrainReport> RunLifecycle::Finish() {
  events_.reset();  // no new drain once the listener is gone
  idle_.reset();
  if (!thread_.joinable()) return std::nullopt;
  mailbox_->Post(lifecycle::ListenerEnded{});
  thread_.join();
  (void)status_.MarkStopping();
  return report_;
}

}  // namespace agentboot::cli

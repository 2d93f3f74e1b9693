#include "run_registration.h"

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "run";
// Gentle for fleets sharing one identity (identity-contract §6.5), quick when a hint arrives
// (the listener's own lines say when its agent is gone). Each process waits kCheckEvery times a
// factor in [0.5, 1.5] drawn once, so hosts started together do not check together. Once a
// minute was too often: 1000 hosts made 1000 checks a minute, more than a throttled identity
// allowed, and starved the registrations of the hosts still starting (BENCHMARKS.md, fleet).
constexpr Duration kCheckEvery = std::chrono::minutes(15);
constexpr double kCheckSpread = 0.5;
constexpr Duration kConfirmAfter = std::chrono::seconds(2);

bool Contains(std::string_view line, std::string_view needle) {
  return line.find(needle) != std::string_view::npos;
}

bool IsUnreachable(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadlineExceeded ||
         error.code == ErrorCode::kThrottled;
}

Duration CheckInterval(Random& random) {
  const double factor = random.Uniform(1.0 - kCheckSpread, 1.0 + kCheckSpread);
  return std::chrono::duration_cast<Duration>(kCheckEvery * factor);
}

}  // namespace

RegistrationKeeper::RegistrationKeeper(App& app, devops::Client& client, agent::AgentFiles& files,
                                       agent::RegisterOptions options,
                                       agent::Registration registration, RunHealth& health,
                                       std::function<Status()> after_files_written)
    : app_(app),
      client_(client),
      files_(files),
      options_(std::move(options)),
      health_(health),
      after_files_written_(std::move(after_files_written)),
      check_every_(CheckInterval(app.env().random)),
      registration_(std::move(registration)) {}

RegistrationKeeper::~RegistrationKeeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void RegistrationKeeper::Start(supervisor::Supervisor& supervisor) {
  supervisor_ = &supervisor;
  watcher_ = std::thread([this] { Watch(); });
}

agent::Registration RegistrationKeeper::registration() const {
  std::lock_guard lock(mu_);
  return registration_;
}

std::optional<Error> RegistrationKeeper::fatal_error() const {
  std::lock_guard lock(mu_);
  return fatal_;
}

// Two "not found" answers a moment apart: one could be a replica that has not caught up.
RegistrationKeeper::ServerView RegistrationKeeper::CheckServer() {
  const agent::Registration current = registration();
  for (int answer = 0; answer < 2; ++answer) {
    if (answer > 0) app_.env().clock.SleepFor(kConfirmAfter);
    auto agent = client_.GetAgent(current.pool_id, current.agent_id, {false, false, false});
    if (agent) return ServerView::kPresent;
    if (IsUnreachable(agent.error())) return ServerView::kUnreachable;
    if (agent.error().code != ErrorCode::kNotFound) return ServerView::kOther;
  }
  return ServerView::kDeleted;
}

Status RegistrationKeeper::RegisterAgain() {
  app_.log().Log(LogLevel::kWarning, kSource,
                 "the agent was deleted on the server; registering it again");
  auto again = agent::Register(client_, files_, app_.env(), options_);
  if (!again) return Fail(std::move(again.error()));
  {
    std::lock_guard lock(mu_);
    registration_ = *again;
    reregister_ = false;
  }
  if (auto shared = after_files_written_(); !shared) return shared;
  health_.Registered(*again, client_);
  app_.log().Log(LogLevel::kInfo, kSource, "agent registered again",
                 {{"agent", again->agent_name}, {"id", std::to_string(again->agent_id)}});
  return {};
}

supervisor::ExitDecision RegistrationKeeper::OnExit(const supervisor::ExitStatus& status) {
  using supervisor::ExitDecision;
  const bool normal =
      !status.signaled() && (status.code == 0 || status.code == 3 || status.code == 4);
  if (normal) return ExitDecision::kFollowPolicy;
  switch (CheckServer()) {
    case ServerView::kDeleted:
      if (auto again = RegisterAgain(); !again) {
        app_.log().Log(LogLevel::kError, kSource, "re-registration failed",
                       {{"detail", again.error().ToString()}});
        if (IsUnreachable(again.error())) {
          std::lock_guard lock(mu_);
          reregister_ = true;  // BeforeLaunch tries again after the back-off
          return ExitDecision::kBackoffUncounted;
        }
        std::lock_guard lock(mu_);
        fatal_ = again.error();
        return ExitDecision::kStop;
      }
      return ExitDecision::kRelaunch;
    case ServerView::kUnreachable:
      app_.log().Log(LogLevel::kWarning, kSource,
                     "Azure DevOps is unreachable; the listener is restarted after a back-off "
                     "that does not count as a crash");
      return ExitDecision::kBackoffUncounted;
    case ServerView::kPresent: {
      std::lock_guard lock(mu_);
      // A listener killed without deleting its session leaves it behind until the service
      // expires it; the next listener gives up after 4 minutes of conflicts and exits 1
      // (MessageListener.cs:460-500). That is worth another try, not the end of the run.
      if (status.code == 1 && session_conflict_) {
        session_conflict_ = false;
        return ExitDecision::kRestart;
      }
      return ExitDecision::kFollowPolicy;
    }
    case ServerView::kOther:
      break;
  }
  return ExitDecision::kFollowPolicy;
}

void RegistrationKeeper::OnLine(std::string_view line) {
  const bool gone = Contains(line, "was not found") || Contains(line, "invalid_client") ||
                    Contains(line, "no longer exists") ||
                    Contains(line, "TaskAgentNotFoundException");
  const bool conflict = Contains(line, "SessionConflictException") ||
                        Contains(line, "A session for this agent already exists");
  if (!gone && !conflict) return;
  {
    std::lock_guard lock(mu_);
    hint_ = hint_ || gone;
    session_conflict_ = session_conflict_ || conflict;
  }
  if (gone) wake_.notify_all();
}

Status RegistrationKeeper::BeforeLaunch() {
  {
    std::lock_guard lock(mu_);
    if (!reregister_) return {};
  }
  if (CheckServer() != ServerView::kDeleted) {
    std::lock_guard lock(mu_);
    reregister_ = false;
    return {};
  }
  return RegisterAgain();
}

void RegistrationKeeper::Watch() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, check_every_, [this] { return stopping_ || hint_; });
    if (stopping_) return;
    hint_ = false;
    if (reregister_) continue;  // a recycle is already on its way
    lock.unlock();
    const bool deleted = CheckServer() == ServerView::kDeleted;
    lock.lock();
    if (!deleted || stopping_) continue;
    reregister_ = true;
    lock.unlock();
    app_.log().Log(LogLevel::kWarning, kSource,
                   "the agent is gone from the server; stopping the listener to register again");
    supervisor_->Post(supervisor::Command::kRecycle);
    lock.lock();
  }
}

}  // namespace agentboot::cli

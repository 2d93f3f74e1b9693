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

Reregistration ReregistrationOf(const std::optional<Error>& failure) {
  if (!failure) return Reregistration::kDone;
  return IsUnreachable(*failure) ? Reregistration::kUnreachable : Reregistration::kRefused;
}

Duration CheckInterval(Random& random) {
  const double factor = random.Uniform(1.0 - kCheckSpread, 1.0 + kCheckSpread);
  return std::chrono::duration_cast<Duration>(kCheckEvery * factor);
}

}  // namespace

RegistrationKeeper::RegistrationKeeper(
    Env& env, devops::Client& client, agent::AgentFiles& files, agent::RegisterOptions options,
    agent::Registration registration, std::function<void(const agent::Registration&)> on_registered,
    std::function<Status()> after_files_written)
    : env_(env),
      client_(client),
      files_(files),
      options_(std::move(options)),
      on_registered_(std::move(on_registered)),
      after_files_written_(std::move(after_files_written)),
      check_every_(CheckInterval(env.random)),
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
ServerView RegistrationKeeper::CheckServer() {
  const agent::Registration current = registration();
  for (int answer = 0; answer < 2; ++answer) {
    if (answer > 0) env_.clock.SleepFor(kConfirmAfter);
    auto agent = client_.GetAgent(current.pool_id, current.agent_id, {false, false, false});
    if (agent) return ServerView::kPresent;
    if (IsUnreachable(agent.error())) return ServerView::kUnreachable;
    if (agent.error().code != ErrorCode::kNotFound) return ServerView::kOther;
  }
  return ServerView::kDeleted;
}

Status RegistrationKeeper::RegisterAgain() {
  env_.log.Log(LogLevel::kWarning, kSource,
               "the agent was deleted on the server; registering it again");
  auto again = agent::Register(client_, files_, env_, options_);
  if (!again) return Fail(std::move(again.error()));
  {
    std::lock_guard lock(mu_);
    registration_ = *again;
    reregister_ = false;
  }
  if (auto shared = after_files_written_(); !shared) return shared;
  if (on_registered_) on_registered_(*again);
  env_.log.Log(LogLevel::kInfo, kSource, "agent registered again",
               {{"agent", again->agent_name}, {"id", std::to_string(again->agent_id)}});
  return {};
}

// The facts gathered here (the server's view, a re-registration's result) decide through the
// pure exit policy (run_exit_policy.h); this carries the verdict out.
supervisor::ExitDecision RegistrationKeeper::OnExit(const supervisor::ExitStatus& status) {
  if (!ExitNeedsServerCheck(status)) return supervisor::ExitDecision::kFollowPolicy;
  ListenerExitFacts facts;
  facts.status = status;
  facts.server = CheckServer();
  std::optional<Error> failure;
  if (facts.server == ServerView::kDeleted) {
    if (auto again = RegisterAgain(); !again) failure = std::move(again.error());
    facts.reregistration = ReregistrationOf(failure);
  }
  const ListenerExitVerdict verdict = Decide(facts, failure);
  if (!verdict.log_message.empty()) {
    std::vector<LogField> fields;
    if (failure) fields.push_back({"detail", failure->ToString()});
    env_.log.Log(verdict.log_level, kSource, verdict.log_message, fields);
  }
  return verdict.decision;
}

ListenerExitVerdict RegistrationKeeper::Decide(ListenerExitFacts facts,
                                               const std::optional<Error>& failure) {
  std::lock_guard lock(mu_);
  facts.session_conflict = session_conflict_;
  const ListenerExitVerdict verdict = DecideListenerExit(facts);
  if (verdict.session_conflict_consumed) session_conflict_ = false;
  if (verdict.reregister_before_launch) reregister_ = true;
  if (verdict.reregistration_fatal && failure) fatal_ = *failure;
  return verdict;
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
    const int64_t checked = registration_.agent_id;
    lock.unlock();
    const bool deleted = CheckServer() == ServerView::kDeleted;
    lock.lock();
    // The agent checked is gone, but the listener's own exit may have registered it again
    // meanwhile (OnExit); the new listener is then already the replacement.
    if (!deleted || stopping_ || registration_.agent_id != checked) continue;
    reregister_ = true;
    lock.unlock();
    env_.log.Log(LogLevel::kWarning, kSource,
                 "the agent is gone from the server; stopping the listener to register again");
    supervisor_->Post(supervisor::Command::kRecycle);
    lock.lock();
  }
}

}  // namespace agentboot::cli

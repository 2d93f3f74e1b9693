#include "run_health.h"

namespace agentboot::cli {
namespace {

namespace metric = telemetry::metric;

std::string ListenerStateName(supervisor::Phase phase) {
  switch (phase) {
    case supervisor::Phase::kIdle:
    case supervisor::Phase::kStarting:
      return "starting";
    case supervisor::Phase::kRunning:
      return "running";
    case supervisor::Phase::kBackoff:
      return "backoff";
    case supervisor::Phase::kAwaitingUpdate:
      return "updating";
    case supervisor::Phase::kPaused:
      return "paused";
    case supervisor::Phase::kStopping:
    case supervisor::Phase::kDone:
      return "stopped";
  }
  return "starting";
}

// Fast until the agent is first seen online (readiness soon after start), then every 30 s: a
// fleet of hosts polls gently (identity-contract §6.5: 200 TSTUs per 5 minutes per identity).
constexpr auto kFastPoll = std::chrono::seconds(2);
constexpr auto kSlowPoll = std::chrono::seconds(30);

}  // namespace

RunHealth::RunHealth(App& app) : app_(app), model_(app.env().clock) {
  telemetry::DescribeAgentbootMetrics(metrics_);
  metrics_.Set(metric::kUp, 1);
  metrics_.Increment(metric::kListenerRestarts, {}, 0);
  model_.SetAgentbootAlive(true);
  model_.SetListener("starting", true);
  // A SIGSTOPped listener is alive to the supervisor but serves nothing (security review L12):
  // each probe reads its state from /proc.
  model_.SetListenerCheck([this]() -> std::string {
    return supervisor::IsStoppedState(supervisor::ProcessState(listener_pid_.load()))
               ? "stopped (SIGSTOP)"
               : "";
  });
}

RunHealth::~RunHealth() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
  if (server_) server_->Stop();
}

Status RunHealth::Start(const std::string& listen) {
  if (listen.empty()) return {};
  auto server = telemetry::HealthServer::Start(listen, model_, metrics_);
  if (!server) return Fail(std::move(server.error()));
  server_ = std::move(*server);
  app_.log().Log(LogLevel::kInfo, "health", "health endpoint listening",
                 {{"listen", listen}, {"port", std::to_string(server_->port())}});
  return {};
}

void RunHealth::Registered(const agent::Registration& registration, devops::Client& client) {
  metrics_.Set(metric::kRegistrationTime,
               static_cast<double>(ToUnixSeconds(app_.env().clock.Now())));
  model_.SetServerView(true, true, false);
  if (!server_) return;  // nobody asks: no polling
  {
    std::lock_guard lock(mu_);
    client_ = &client;
    pool_id_ = registration.pool_id;
    agent_id_ = registration.agent_id;
  }
  if (!poller_.joinable()) poller_ = std::thread([this] { Poll(); });
}

void RunHealth::OnTransition(const supervisor::State& state) {
  listener_pid_ = state.phase == supervisor::Phase::kRunning ? state.pid : 0;
  if (state.phase == last_phase_) return;
  if (state.phase == supervisor::Phase::kStarting && state.ever_started) {
    metrics_.Increment(metric::kListenerRestarts);
  }
  last_phase_ = state.phase;
  const bool draining = draining_.load();
  const std::string name = draining && state.phase != supervisor::Phase::kDone
                               ? "draining"
                               : ListenerStateName(state.phase);
  metrics_.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, name);
  model_.SetListener(name, state.phase != supervisor::Phase::kDone);
}

void RunHealth::DrainStarted(const std::string& reason) {
  draining_ = true;
  model_.SetReasons({"draining: " + reason});
  model_.SetListener("draining", true);
  metrics_.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, "draining");
}

void RunHealth::DrainFinished(const lifecycle::DrainReport& report) {
  metrics_.Set(metric::kDrainDuration, std::chrono::duration<double>(report.duration).count());
}

void RunHealth::JobFinished(const std::string& result) {
  metrics_.Increment(metric::kJobs, {{"result", result.empty() ? "none" : result}});
}

void RunHealth::Poll() {
  bool seen_online = false;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    PollOnce();
    seen_online = seen_online || model_.Snapshot().online;
    lock.lock();
    wake_.wait_for(lock, seen_online ? kSlowPoll : kFastPoll, [this] { return stopping_; });
  }
}

void RunHealth::PollOnce() {
  devops::Client* client = nullptr;
  int64_t pool_id = 0;
  int64_t agent_id = 0;
  {
    std::lock_guard lock(mu_);
    client = client_;
    pool_id = pool_id_;
    agent_id = agent_id_;
  }
  if (client == nullptr) return;
  auto agent = client->GetAgent(pool_id, agent_id);
  if (agent) {
    model_.SetServerView(true, agent->enabled, agent->status_kind == devops::AgentStatus::kOnline);
    metrics_.Set(metric::kLastServerContact,
                 static_cast<double>(ToUnixSeconds(app_.env().clock.Now())));
  } else if (agent.error().code == ErrorCode::kNotFound) {
    model_.SetServerView(false, false, false);
  }
  const auto token = app_.cache().Status(identity::TokenRequest{});
  if (token.expires_on) {
    metrics_.Set(metric::kTokenExpiry, static_cast<double>(ToUnixSeconds(*token.expires_on)));
  }
  if (token.consecutive_failures > 0) {
    metrics_.Set(metric::kIdentityFailures, token.consecutive_failures);
  }
}

}  // namespace agentboot::cli

#include <chrono>

#include "agentboot/telemetry.h"

namespace agentboot::telemetry {

HealthModel::HealthModel(Clock& clock, HealthOptions options) : clock_(clock), options_(options) {}

void HealthModel::SetAgentbootAlive(bool alive) {
  MutexLock lock(mu_);
  state_.agentboot_alive = alive;
}

void HealthModel::SetListener(std::string state, bool alive) {
  MutexLock lock(mu_);
  state_.listener_state = std::move(state);
  state_.listener_alive = alive;
}

void HealthModel::SetServerView(bool registered, bool enabled, bool online) {
  const TimePoint now = clock_.Now();
  MutexLock lock(mu_);
  state_.registered = registered;
  state_.enabled = enabled;
  state_.online = online;
  state_.last_server_contact = now;
}

void HealthModel::RecordServerContact() {
  const TimePoint now = clock_.Now();
  MutexLock lock(mu_);
  state_.last_server_contact = now;
}

void HealthModel::SetReasons(std::vector<std::string> reasons) {
  MutexLock lock(mu_);
  state_.reasons = std::move(reasons);
}

void HealthModel::SetListenerCheck(std::function<std::string()> check) {
  MutexLock lock(mu_);
  listener_check_ = std::move(check);
}

HealthState HealthModel::Snapshot() const {
  std::function<std::string()> check;
  HealthState state;
  {
    MutexLock lock(mu_);
    state = state_;
    check = listener_check_;
  }
  if (state.listener_alive && check) {
    if (std::string problem = check(); !problem.empty()) {
      state.listener_alive = false;
      state.listener_state = std::move(problem);
    }
  }
  return state;
}

namespace {

void AddLivenessReasons(const HealthState& state, nlohmann::json& reasons) {
  if (!state.agentboot_alive) reasons.push_back("agentboot run loop has stopped");
  if (!state.listener_alive) {
    reasons.push_back("listener is not alive (state " + state.listener_state + ")");
  }
}

}  // namespace

ProbeResult HealthModel::Healthz() const {
  const HealthState state = Snapshot();
  nlohmann::json reasons = nlohmann::json::array();
  AddLivenessReasons(state, reasons);
  ProbeResult result;
  result.ok = reasons.empty();
  result.body = {{"status", result.ok ? "ok" : "unhealthy"},
                 {"listener", state.listener_state},
                 {"reasons", reasons}};
  return result;
}

ProbeResult HealthModel::Readyz() const {
  const TimePoint now = clock_.Now();
  const HealthState state = Snapshot();
  nlohmann::json reasons = nlohmann::json::array();
  AddLivenessReasons(state, reasons);
  if (!state.registered) reasons.push_back("agent is not registered on the server");
  if (state.registered && !state.enabled) reasons.push_back("agent is disabled on the server");
  if (state.registered && !state.online) reasons.push_back("agent is offline on the server");
  nlohmann::json contact_age = nullptr;
  if (!state.last_server_contact) {
    reasons.push_back("no successful server contact yet");
  } else {
    const auto age =
        std::chrono::duration_cast<std::chrono::seconds>(now - *state.last_server_contact);
    contact_age = age.count();
    const auto limit = std::chrono::duration_cast<std::chrono::seconds>(options_.staleness_limit);
    if (now - *state.last_server_contact > options_.staleness_limit) {
      reasons.push_back("last successful server contact was " + std::to_string(age.count()) +
                        "s ago, older than the " + std::to_string(limit.count()) + "s limit");
    }
  }
  for (const auto& reason : state.reasons) reasons.push_back(reason);
  ProbeResult result;
  result.ok = reasons.empty();
  result.body = {{"status", result.ok ? "ok" : "not ready"},
                 {"registered", state.registered},
                 {"enabled", state.enabled},
                 {"online", state.online},
                 {"last_server_contact_age_seconds", contact_age},
                 {"reasons", reasons}};
  return result;
}

}  // namespace agentboot::telemetry

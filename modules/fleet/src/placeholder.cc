// EnsurePlaceholder: a placeholder agent that heals itself (fleet.h).
#include "agentboot/agent.h"
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

constexpr std::string_view kSource = "placeholder";

// Capabilities agentboot owns: what the registrar reports for the agent and its marks.
bool IsReserved(const std::string& key) {
  return StartsWith(key, "Agent.") || key == agent::kOwnerCapability ||
         key == agent::kHostCapability || key == agent::kPlaceholderCapability;
}

void Diff(const std::map<std::string, std::string>& before,
          const std::map<std::string, std::string>& after, PlaceholderResult& result) {
  for (const auto& [key, value] : after) {
    auto it = before.find(key);
    if (it == before.end() || it->second != value) result.added[key] = value;
  }
  for (const auto& [key, value] : before) {
    if (after.count(key) == 0) result.removed.push_back(key);
  }
}

agent::RegisterOptions RegisterOptionsFor(const PlaceholderOptions& options) {
  agent::RegisterOptions reg;
  reg.server_url = options.server_url;
  reg.pool = options.pool;
  reg.agent_name = options.agent_name;
  reg.placeholder = true;
  reg.agent_version = options.agent_version;
  reg.host_name = options.host_name;
  reg.capabilities = options.capabilities;
  return reg;
}

}  // namespace

std::string_view PlaceholderOutcomeName(PlaceholderOutcome outcome) noexcept {
  switch (outcome) {
    case PlaceholderOutcome::kCreated:
      return "created";
    case PlaceholderOutcome::kUnchanged:
      return "unchanged";
    case PlaceholderOutcome::kCapabilitiesUpdated:
      return "capabilities updated";
  }
  return "unchanged";
}

std::map<std::string, std::string> DesiredCapabilities(
    const std::map<std::string, std::string>& current,
    const std::map<std::string, std::string>& wanted) {
  std::map<std::string, std::string> desired;
  for (const auto& [key, value] : wanted) {
    if (!IsReserved(key)) desired[key] = value;
  }
  for (const auto& [key, value] : current) {
    if (IsReserved(key)) desired[key] = value;
  }
  desired[std::string(agent::kOwnerCapability)] = "true";
  desired[std::string(agent::kPlaceholderCapability)] = "true";
  return desired;
}

Result<PlaceholderResult> EnsurePlaceholder(devops::Client& client, Env& env,
                                            const PlaceholderOptions& options) {
  // A placeholder has no local files: the registrar never touches this root.
  agent::AgentFiles no_files(env.fs, "");
  auto registered = agent::Register(client, no_files, env, RegisterOptionsFor(options));
  if (!registered) return Fail(std::move(registered.error()));
  PlaceholderResult result;
  result.pool_id = registered->pool_id;
  result.pool_name = registered->pool_name;
  result.agent_id = registered->agent_id;
  if (registered->outcome == agent::RegisterOutcome::kCreated) {
    result.outcome = PlaceholderOutcome::kCreated;
    return result;
  }
  auto current = client.GetAgent(result.pool_id, result.agent_id);
  if (!current) return Fail(std::move(current.error()));
  auto desired = DesiredCapabilities(current->system_capabilities, options.capabilities);
  if (desired == current->system_capabilities) return result;
  Diff(current->system_capabilities, desired, result);
  devops::Agent updated = *current;
  updated.system_capabilities = desired;
  auto replaced = client.ReplaceAgent(result.pool_id, updated);
  if (!replaced) return Fail(std::move(replaced.error()));
  env.log.Log(LogLevel::kInfo, kSource, "placeholder capabilities updated",
              {{"pool", result.pool_name},
               {"agent", options.agent_name},
               {"changed", std::to_string(result.added.size())},
               {"removed", std::to_string(result.removed.size())}});
  result.outcome = PlaceholderOutcome::kCapabilitiesUpdated;
  return result;
}

}  // namespace agentboot::fleet

#include "caller.h"
#include "errors.h"
#include "wire.h"

namespace agentboot::devops {
namespace {

using detail::Call;

constexpr std::string_view kPools = "_apis/distributedtask/pools";

std::string PoolRoute(int64_t pool_id) {
  return std::string(kPools) + "/" + std::to_string(pool_id);
}

std::string AgentRoute(int64_t pool_id, int64_t agent_id) {
  return PoolRoute(pool_id) + "/agents/" + std::to_string(agent_id);
}

// Failures after which a POST may or may not have been applied, or was refused for load (429).
bool IsAmbiguous(const Error& error) {
  return error.code == ErrorCode::kDeadlineExceeded || error.code == ErrorCode::kUnavailable ||
         error.http_status == 429 || error.http_status >= 500;
}

}  // namespace

Client::Client(ClientOptions options, http::Transport& transport, identity::TokenSource& tokens,
               Env& env)
    : caller_(std::make_unique<detail::Caller>(std::move(options), transport, tokens, env)) {}

Client::~Client() = default;

Result<ConnectionData> Client::GetConnectionData() {
  const Call call{"GET", "_apis/connectionData", std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseConnectionData(response->body, call.Context());
}

Result<std::vector<Pool>> Client::ListPools(std::optional<std::string> name) {
  std::string route(kPools);
  if (name) route += "?poolName=" + UrlEncode(*name) + "&poolType=Automation";
  const Call call{"GET", route, std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParsePools(response->body, call.Context());
}

Result<Pool> Client::FindPool(const std::string& name) {
  auto pools = ListPools(name);
  if (!pools) {
    // An unknown pool may also come back as a wrapped TaskAgentPoolNotFoundException.
    return Fail(std::move(pools.error()));
  }
  if (pools->empty()) {
    return Fail(ErrorCode::kNotFound, "GET " + std::string(kPools) + "?poolName=" + name,
                "agent pool not found: '" + name + "'",
                "check the pool name; the identity must be able to see the pool");
  }
  return pools->front();
}

Result<std::vector<Pool>> Client::ListManagedPools() {
  const Call call{"GET", std::string(kPools) + "?actionFilter=manage", std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParsePools(response->body, call.Context());
}

namespace {
constexpr std::string_view kActivityQuery =
    "includeCapabilities=true&includeAssignedRequest=true&includeLastCompletedRequest=true";
}  // namespace

Result<std::vector<Agent>> Client::ListAgents(int64_t pool_id) {
  const Call call{"GET", PoolRoute(pool_id) + "/agents?" + std::string(kActivityQuery),
                  std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseAgents(response->body, call.Context());
}

Result<Agent> Client::GetAgentActivity(int64_t pool_id, int64_t agent_id) {
  const Call call{"GET", AgentRoute(pool_id, agent_id) + "?" + std::string(kActivityQuery),
                  std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseAgent(response->body, call.Context());
}

Result<std::optional<Agent>> Client::FindAgent(int64_t pool_id, const std::string& name) {
  // "False", as the official client spells the C# bool (agent-contract §1 step 8).
  const Call call{
      "GET",
      PoolRoute(pool_id) + "/agents?agentName=" + UrlEncode(name) + "&includeCapabilities=False",
      std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  auto agents = detail::ParseAgents(response->body, call.Context());
  if (!agents) return Fail(std::move(agents.error()));
  for (Agent& agent : *agents) {
    if (EqualsIgnoreCase(agent.name, name)) return std::optional<Agent>(std::move(agent));
  }
  return std::optional<Agent>();
}

Result<Agent> Client::GetAgent(int64_t pool_id, int64_t agent_id, const AgentQuery& query) {
  // Capabilities carry agentboot's ownership and placeholder marks; the assigned request tells
  // whether a job runs (drain); the last completed request is a --once job's result.
  std::string route = AgentRoute(pool_id, agent_id);
  route += query.capabilities ? "?includeCapabilities=true" : "?includeCapabilities=false";
  if (query.assigned_request) route += "&includeAssignedRequest=true";
  if (query.last_completed_request) route += "&includeLastCompletedRequest=true";
  const Call call{"GET", route, std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseAgent(response->body, call.Context());
}

Result<Agent> Client::AddAgent(int64_t pool_id, const Agent& agent) {
  const Call call{"POST", PoolRoute(pool_id) + "/agents", detail::AgentToJson(agent, false), false};
  http::RetryBudget budget = caller_->NewBudget();
  while (true) {
    detail::Attempt outcome = caller_->Once(call);
    if (outcome.result) return detail::ParseAgent(outcome.result->body, call.Context());
    Error error = std::move(outcome.result.error());
    if (outcome.token_failed || !IsAmbiguous(error) ||
        !caller_->WaitBeforeRetry(budget, error, call)) {
      return Fail(std::move(error));
    }
    // A 429 is a blocked request, never processed ("TF400733: The request has been canceled:
    // Request was blocked", identity-contract §6.5): the POST is sent again without a lookup,
    // which would only cost the throttled identity one more request.
    if (error.http_status == 429) continue;
    caller_->env().log.Log(LogLevel::kInfo, "devops",
                           "adding the agent failed ambiguously; checking whether it exists",
                           {{"agent", agent.name}, {"error", error.detail}});
    // The POST may have been applied before the answer was lost: never create a duplicate.
    auto existing = FindAgent(pool_id, agent.name);
    if (!existing) return Fail(std::move(existing.error()));
    if (existing->has_value()) return std::move(**existing);
  }
}

Result<Agent> Client::ReplaceAgent(int64_t pool_id, const Agent& agent) {
  if (agent.id <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "PUT " + PoolRoute(pool_id) + "/agents",
                "ReplaceAgent needs the id of an existing agent");
  }
  const Call call{"PUT", AgentRoute(pool_id, agent.id), detail::AgentToJson(agent, true), true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseAgent(response->body, call.Context());
}

Result<Agent> Client::SetAgentEnabled(int64_t pool_id, int64_t agent_id, bool enabled) {
  const std::string body =
      "{\"id\":" + std::to_string(agent_id) + ",\"enabled\":" + (enabled ? "true" : "false") + "}";
  const Call call{"PATCH", AgentRoute(pool_id, agent_id), body, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseAgent(response->body, call.Context());
}

Status Client::DeleteAgent(int64_t pool_id, int64_t agent_id) {
  const Call call{"DELETE", AgentRoute(pool_id, agent_id), std::nullopt, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return {};
}

Result<std::vector<AgentPackage>> Client::ListPackages(const std::string& platform,
                                                       const PackageQuery& query) {
  // Appended piece by piece: GCC 12 -O3 reports a false -Wrestrict on chained operator+.
  std::string route = "_apis/distributedtask/packages/";
  route.append(UrlEncode(query.type)).append("/").append(UrlEncode(platform));
  if (query.version) {
    route.append("/").append(UrlEncode(*query.version));
  } else {
    route.append("?$top=").append(std::to_string(query.top));
  }
  const Call call{"GET", route, std::nullopt, true, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParsePackages(response->body, call.Context());
}

Result<std::vector<JobRequest>> Client::ListJobRequests(int64_t pool_id, int64_t agent_id,
                                                        int completed_count) {
  std::string route = PoolRoute(pool_id) + "/jobrequests?agentId=";
  route.append(std::to_string(agent_id)).append("&completedRequestCount=");
  route.append(std::to_string(completed_count));
  const Call call{"GET", route, std::nullopt, true, true};
  auto response = caller_->Run(call);
  if (!response) return Fail(std::move(response.error()));
  return detail::ParseJobRequests(response->body, call.Context());
}

std::string FormatVisiblePools(const std::vector<Pool>& pools) {
  // A hosted pool (Microsoft's "Azure Pipelines") takes no self-hosted agent: not offered.
  std::string names;
  for (const Pool& pool : pools) {
    if (pool.is_hosted) continue;
    if (!names.empty()) names += ", ";
    names += pool.name;
  }
  if (names.empty()) return "no self-hosted agent pool is visible to this identity";
  return "self-hosted pools visible to this identity: " + names;
}

}  // namespace agentboot::devops

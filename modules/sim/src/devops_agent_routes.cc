// Agents of a pool (agent-contract §1 steps 8-9, remove, reauth): list by name, get, add,
// replace (new public key, same clientId), patch, delete (refused while a job runs).
#include "devops_admin.h"
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

bool IncludeCapabilities(const HttpRequest& request) {
  std::optional<std::string> value = request.Query("includeCapabilities");
  return value && EqualsIgnoreCase(*value, "true");
}

bool QueryFlag(const HttpRequest& request, const std::string& name) {
  std::optional<std::string> value = request.Query(name);
  return value && EqualsIgnoreCase(*value, "true");
}

// AgentJson plus `assignedRequest` (the running job request) and `lastCompletedRequest` (the
// most recently finished one) when the query asks for them ("Agents - Get" REST reference:
// includeAssignedRequest, includeLastCompletedRequest). With the runtime's omit_authorization
// switch, the answer carries only the clientId under `authorization` (agent-audit D4).
json AgentAnswer(const DevOpsService& service, const HttpRequest& request,
                 const AgentRecord& agent) {
  json body = AgentJson(agent, IncludeCapabilities(request), service.OrgUrl(request));
  if (service.runtime().omit_authorization()) {
    body["authorization"] = {{"clientId", agent.client_id}};
  }
  AddLastCompletedRequest(service, request, agent, body);  // devops_admin_routes.cc
  if (!QueryFlag(request, "includeAssignedRequest")) return body;
  for (const JobRequestRecord& job : service.org().JobRequests(agent.pool_id, agent.id)) {
    if (job.Running()) body["assignedRequest"] = JobRequestJson(job, agent.name);
  }
  return body;
}

HttpResponse FromError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kAlreadyExists:
      return WrappedException(409, "TaskAgentExistsException", error.detail);
    case ErrorCode::kNotFound:
      return WrappedException(404, "TaskAgentNotFoundException", error.detail);
    case ErrorCode::kInvalidArgument:
      return WrappedException(400, "TaskAgentJobStillRunningException", error.detail);
    default:
      return WrappedException(500, "VssServiceException", error.detail);
  }
}

// Validates the body's fields and copies those present onto `agent`. Returns an error message
// for a 400 when a field is unusable.
std::optional<std::string> ApplyAgentBody(const json& body, AgentRecord& agent) {
  if (body.contains("name")) agent.name = Trim(body.at("name").get<std::string>());
  if (body.contains("version")) agent.version = body.at("version").get<std::string>();
  if (body.contains("osDescription")) {
    agent.os_description = body.at("osDescription").get<std::string>();
  }
  if (body.contains("enabled")) agent.enabled = body.at("enabled").get<bool>();
  if (body.contains("maxParallelism")) {
    agent.max_parallelism = body.at("maxParallelism").get<int64_t>();
  }
  if (body.contains("provisioningState") && body.at("provisioningState").is_string()) {
    agent.provisioning_state = body.at("provisioningState").get<std::string>();
  }
  if (body.contains("systemCapabilities") && body.at("systemCapabilities").is_object()) {
    agent.system_capabilities = body.at("systemCapabilities");
  }
  if (body.contains("userCapabilities") && body.at("userCapabilities").is_object()) {
    agent.user_capabilities = body.at("userCapabilities");
  }
  const json* key = nullptr;
  if (auto auth = body.find("authorization"); auth != body.end() && auth->is_object()) {
    if (auto pk = auth->find("publicKey"); pk != auth->end() && pk->is_object()) key = &*pk;
  }
  if (key != nullptr) {
    const std::string exponent = key->value("exponent", "");
    const std::string modulus = key->value("modulus", "");
    Result<jose::RsaKey> parsed = PublicKeyFromBase64(exponent, modulus);
    if (!parsed) return "The agent public key is not valid: " + parsed.error().detail;
    if (parsed->bits() < 2048) return "The agent public key must be at least 2048 bits.";
    agent.public_key_exponent = exponent;
    agent.public_key_modulus = modulus;
  }
  if (agent.name.empty()) return "The agent name must be specified.";
  return std::nullopt;
}

struct Target {
  PoolRecord pool;
  int64_t agent_id = 0;
};

// Resolves the pool (404) and, for writes, the caller's Administrator role (403).
tl::expected<Target, HttpResponse> Resolve(const DevOpsService& service, const HttpRequest& r,
                                           const Principal& principal, bool write) {
  std::optional<int64_t> pool_id = ParseInt64(r.params.at(0));
  std::optional<PoolRecord> pool = pool_id ? service.org().FindPool(*pool_id) : std::nullopt;
  if (!pool) {
    return tl::unexpected(
        WrappedException(404, "TaskAgentPoolNotFoundException",
                         "Agent pool " + r.params.at(0) + " could not be found."));
  }
  if (write && !service.IsPoolAdmin(principal, pool->id)) {
    return tl::unexpected(WrappedException(
        403, "AccessDeniedException",
        "Access denied. " + principal.id + " needs Manage permissions for pool " + pool->name +
            " to perform the action. For more information, contact the Azure DevOps Server "
            "administrator."));
  }
  Target target{*pool, 0};
  if (r.params.size() > 1) target.agent_id = ParseInt64(r.params.at(1)).value_or(-1);
  return target;
}

HttpResponse ListAgents(const DevOpsService& service, const HttpRequest& r, const Target& t) {
  service.ExpireIdleSessions();
  std::optional<std::string> name = r.Query("agentName");
  json value = json::array();
  for (const AgentRecord& agent : service.org().Agents(t.pool.id)) {
    if (name && !name->empty() && !EqualsIgnoreCase(*name, agent.name)) continue;
    value.push_back(AgentAnswer(service, r, agent));
  }
  return HttpResponse::Json(200, Collection(value));
}

HttpResponse GetAgent(const DevOpsService& service, const HttpRequest& r, const Target& t) {
  service.ExpireIdleSessions();
  std::optional<AgentRecord> agent = service.org().FindAgent(t.pool.id, t.agent_id);
  if (!agent) {
    return FromError(MakeError(
        ErrorCode::kNotFound, "",
        "Agent " + r.params.at(1) + " not found in pool " + std::to_string(t.pool.id) + "."));
  }
  return HttpResponse::Json(200, AgentAnswer(service, r, *agent));
}

HttpResponse AddAgent(const DevOpsService& service, const HttpRequest& r, const Target& t) {
  std::optional<json> body = JsonBody(r);
  if (!body) return WrappedException(400, "ArgumentNullException", "The agent body is missing.");
  AgentRecord draft;
  draft.pool_id = t.pool.id;
  if (auto problem = ApplyAgentBody(*body, draft)) {
    return WrappedException(400, "ArgumentException", *problem);
  }
  const std::string base = service.BaseUrl(r);
  Result<AgentRecord> added =
      service.org().AddAgent(draft, service.context().Now(),
                             [&](const std::string&) { return service.AuthorizationUrl(base); });
  if (!added) return FromError(added.error());
  return HttpResponse::Json(200, AgentJson(*added, true, service.OrgUrl(r)));
}

HttpResponse UpdateAgent(const DevOpsService& service, const HttpRequest& r, const Target& t) {
  std::optional<json> body = JsonBody(r);
  if (!body) return WrappedException(400, "ArgumentNullException", "The agent body is missing.");
  std::optional<std::string> problem;
  Result<AgentRecord> updated =
      service.org().UpdateAgent(t.pool.id, t.agent_id, [&](AgentRecord& agent) {
        AgentRecord candidate = agent;
        problem = ApplyAgentBody(*body, candidate);
        if (!problem) agent = candidate;
      });
  if (problem) return WrappedException(400, "ArgumentException", *problem);
  if (!updated) return FromError(updated.error());
  return HttpResponse::Json(200, AgentJson(*updated, true, service.OrgUrl(r)));
}

HttpResponse DeleteAgent(const DevOpsService& service, const HttpRequest&, const Target& t) {
  std::optional<AgentRecord> agent = service.org().FindAgent(t.pool.id, t.agent_id);
  Status deleted = service.org().DeleteAgent(t.pool.id, t.agent_id);
  if (!deleted) return FromError(deleted.error());
  // A live listener loses its session and queue; its credentials may stay usable (runtime).
  if (agent) service.runtime().RememberDeleted(*agent);
  service.runtime().sessions().ForgetAgent(t.pool.id, t.agent_id);
  return HttpResponse::Empty(204);
}

using AgentHandler = HttpResponse (*)(const DevOpsService&, const HttpRequest&, const Target&);

Handler Route(const ServicePtr& service, bool write, AgentHandler handler) {
  return Guarded(service, !write,
                 [service, write, handler](const HttpRequest& r, const Principal& p) {
                   tl::expected<Target, HttpResponse> target = Resolve(*service, r, p, write);
                   if (!target) return target.error();
                   return handler(*service, r, *target);
                 });
}

}  // namespace

void RegisterDevOpsAgentRoutes(Router& router, const ServicePtr& service) {
  const std::string pool =
      OrgPathPrefix(service->context()) + "/_apis/distributedtask/pools/([0-9]+)/agents";
  router.Add("GET", pool + "/?", Route(service, false, ListAgents));
  router.Add("POST", pool + "/?", Route(service, true, AddAgent));
  router.Add("GET", pool + "/([0-9]+)/?", Route(service, false, GetAgent));
  router.Add("PUT", pool + "/([0-9]+)/?", Route(service, true, UpdateAgent));
  router.Add("PATCH", pool + "/([0-9]+)/?", Route(service, true, UpdateAgent));
  router.Add("DELETE", pool + "/([0-9]+)/?", Route(service, true, DeleteAgent));
}

}  // namespace agentboot::sim::detail

// What the admin commands (prune, placeholder, doctor, run --idle-timeout) need from the
// simulated Azure DevOps beyond registration:
//  - TaskAgent.lastCompletedRequest when the query has includeLastCompletedRequest=true
//    (REST reference "Agents - Get" / "Agents - List", distributedtask/agents, api-version 7.1:
//    "Whether to include details about the agents' most recent completed work"; TaskAgent
//    interface: assignedRequest, lastCompletedRequest, createdOn, statusChangedOn);
//  - the pools list filtered by actionFilter=manage (REST reference "Pools - Get Agent Pools",
//    TaskAgentPoolActionFilter: none, manage, use): only pools the caller administers;
//  - control routes to shape agents the way a fleet looks after crashes: POST
//    /_control/devops/agents {pool, name, status, offline_for_seconds, capabilities, owned,
//    placeholder} adds an agent directly (no registration), dated in the past;
//  - POST /_control/devops/anonymous {oid, anonymous}: connectionData then answers 200 with the
//    anonymous public-access user ("System:PublicAccess;aaaaaaaa-…", "Anonymous"), which is what
//    dev.azure.com answers a caller it does not admit as a user (no licence, not a member) on an
//    organization with public access (ConnectionData shape: learn.microsoft.com, JavaScript API
//    azure-devops-extension-api "ConnectionData").
#include "devops_admin.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

bool QueryIsTrue(const HttpRequest& request, const char* key) {
  std::optional<std::string> value = request.Query(key);
  return value && EqualsIgnoreCase(*value, "true");
}

HttpResponse BadRequest(const std::string& message) {
  return HttpResponse::Json(400, {{"error", message}});
}

std::optional<int64_t> PoolOf(const DevOpsService& service, const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    if (auto pool = service.org().FindPoolByName(value.get<std::string>())) return pool->id;
  }
  return std::nullopt;
}

// A body's {"key": "value"} capabilities plus agentboot's marks when asked (agent.h's
// kOwnerCapability "agentboot" and kPlaceholderCapability "agentboot.placeholder").
json Capabilities(const json& body) {
  json caps = body.value("capabilities", json::object());
  if (!caps.is_object()) caps = json::object();
  if (body.value("owned", false)) caps["agentboot"] = "true";
  if (body.value("placeholder", false)) caps["agentboot.placeholder"] = "true";
  return caps;
}

HttpResponse AddShapedAgent(DevOpsService& service, const HttpRequest& request) {
  std::optional<json> body = JsonBody(request);
  if (!body) return BadRequest("expected a JSON object");
  std::optional<int64_t> pool = PoolOf(service, body->value("pool", json(1)));
  const std::string name = body->value("name", "");
  if (!pool || name.empty()) return BadRequest("pool and name are required");
  AgentRecord draft;
  draft.pool_id = *pool;
  draft.name = name;
  draft.version = body->value("version", "4.260.0");
  draft.os_description = "Linux";
  draft.system_capabilities = Capabilities(*body);
  const TimePoint now = service.context().Now();
  const std::string base = service.BaseUrl(request);
  Result<AgentRecord> added = service.org().AddAgent(
      draft, now, [&](const std::string&) { return service.AuthorizationUrl(base); });
  if (!added) return BadRequest(added.error().detail);
  const auto ago = std::chrono::seconds(body->value("offline_for_seconds", int64_t{0}));
  Result<AgentRecord> shaped = service.org().UpdateAgent(*pool, added->id, [&](AgentRecord& agent) {
    agent.status = body->value("status", "offline");
    agent.status_changed_on = now - ago;
    agent.created_on = now - ago;
    agent.enabled = body->value("enabled", true);
  });
  if (!shaped) return BadRequest(shaped.error().detail);
  return HttpResponse::Json(200, {{"id", shaped->id}, {"pool", *pool}, {"name", shaped->name}});
}

}  // namespace

void AddLastCompletedRequest(const DevOpsService& service, const HttpRequest& request,
                             const AgentRecord& agent, json& body) {
  if (!QueryIsTrue(request, "includeLastCompletedRequest")) return;
  std::optional<JobRequestRecord> last;
  for (const JobRequestRecord& job : service.org().JobRequests(agent.pool_id, agent.id)) {
    if (!job.finish_time) continue;
    if (!last || *job.finish_time >= *last->finish_time) last = job;
  }
  if (last) body["lastCompletedRequest"] = JobRequestJson(*last, agent.name);
}

bool PoolMatchesActionFilter(const DevOpsService& service, const HttpRequest& request,
                             const Principal& principal, int64_t pool_id) {
  std::optional<std::string> filter = request.Query("actionFilter");
  if (!filter || !EqualsIgnoreCase(*filter, "manage")) return true;
  return service.IsPoolAdmin(principal, pool_id);
}

std::optional<HttpResponse> AnonymousConnectionData(const DevOpsService& service,
                                                    const Principal& principal) {
  if (principal.is_agent || !service.admin_switches().IsAnonymous(principal.id)) {
    return std::nullopt;
  }
  const std::string anonymous = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
  const json user = {{"id", anonymous},
                     {"descriptor", "System:PublicAccess;" + anonymous},
                     {"providerDisplayName", "Anonymous"},
                     {"isActive", true},
                     {"properties", json::object()}};
  return HttpResponse::Json(200, {{"authenticatedUser", user},
                                  {"authorizedUser", user},
                                  {"instanceId", "5f3b1c2d-7a8e-4c10-9d21-000000000001"},
                                  {"deploymentType", "hosted"}});
}

void RegisterDevOpsAdminControlRoutes(Router& router, const ServicePtr& service) {
  router.Add("POST", "/_control/devops/anonymous/?", Unguarded([service](const HttpRequest& r) {
               std::optional<json> body = JsonBody(r);
               if (!body || body->value("oid", "").empty()) return BadRequest("oid is required");
               service->admin_switches().SetAnonymous(body->value("oid", ""),
                                                      body->value("anonymous", true));
               return HttpResponse::Json(200, {{"ok", true}});
             }));
  router.Add("POST", "/_control/devops/agents/?",
             Unguarded([service](const HttpRequest& r) { return AddShapedAgent(*service, r); }));
}

}  // namespace agentboot::sim::detail

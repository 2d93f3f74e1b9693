// Listener sessions and messages (agent-contract §3 "Listener startup and session", §9 items
// 6-7): POST/DELETE …/pools/{poolId}/sessions, the long-polled GET …/messages and
// DELETE …/messages/{messageId}. Only an agent's own OAuth token is accepted. The agent shows
// "online" while it holds a session.
#include <algorithm>

#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

struct Caller {
  PoolRecord pool;
  AgentRecord agent;
};

HttpResponse AgentNotFound(const std::string& pool, const std::string& who) {
  return WrappedException(404, "TaskAgentNotFoundException",
                          "No agent found in pool " + pool + " which has an ID of " + who + ".");
}

HttpResponse SessionExpired(const std::string& session_id) {
  return WrappedException(404, "TaskAgentSessionExpiredException",
                          "The session " + session_id + " has expired.");
}

// The pool (404) and the agent the token belongs to (404 once it was deleted).
tl::expected<Caller, HttpResponse> ResolveCaller(const DevOpsService& service, const HttpRequest& r,
                                                 const Principal& p) {
  std::optional<int64_t> pool_id = ParseInt64(r.params.at(0));
  std::optional<PoolRecord> pool = pool_id ? service.org().FindPool(*pool_id) : std::nullopt;
  if (!pool) {
    return tl::unexpected(
        WrappedException(404, "TaskAgentPoolNotFoundException",
                         "Agent pool " + r.params.at(0) + " could not be found."));
  }
  if (!p.is_agent) {
    return tl::unexpected(WrappedException(403, "AccessDeniedException",
                                           "Access denied. Only an agent can hold a session."));
  }
  std::optional<AgentRecord> agent = service.org().FindAgentByClientId(p.id);
  if (!agent || agent->pool_id != pool->id) {
    const std::optional<AgentRecord> deleted = service.runtime().FindDeleted(p.id);
    return tl::unexpected(
        AgentNotFound(r.params.at(0), deleted ? std::to_string(deleted->id) : p.id));
  }
  return Caller{*pool, *agent};
}

HttpResponse CreateSession(DevOpsService& service, const HttpRequest& r, const Caller& c) {
  std::optional<json> body = JsonBody(r);
  if (!body) return WrappedException(400, "ArgumentNullException", "The session is missing.");
  SessionRecord draft;
  draft.pool_id = c.pool.id;
  draft.agent_id = c.agent.id;
  draft.owner_name = body->value("ownerName", "");
  if (auto agent = body->find("agent"); agent != body->end() && agent->is_object()) {
    draft.agent = *agent;
  }
  draft.created_on = service.context().Now();
  draft.last_seen = draft.created_on;
  service.ExpireIdleSessions();
  Result<SessionRecord> opened = service.runtime().sessions().Open(draft, SystemRandom());
  if (!opened) {
    return WrappedException(409, "TaskAgentSessionConflictException", opened.error().detail);
  }
  const std::string version = draft.agent.value("version", "");
  json capabilities = body->value("systemCapabilities", json::object());
  (void)service.org().UpdateAgent(c.pool.id, c.agent.id, [&](AgentRecord& agent) {
    agent.status = "online";
    agent.status_changed_on = service.context().Now();
    if (!version.empty()) agent.version = version;
    // The listener sends freshly scanned capabilities with every session (agent-contract §7).
    if (capabilities.is_object() && !capabilities.empty()) {
      agent.system_capabilities = capabilities;
    }
  });
  service.runtime().dispatcher().Dispatch(service.context().Now());
  json agent = {{"id", c.agent.id},
                {"name", c.agent.name},
                {"version", version.empty() ? c.agent.version : version},
                {"osDescription", c.agent.os_description}};
  return HttpResponse::Json(201, {{"sessionId", opened->session_id},
                                  {"ownerName", opened->owner_name},
                                  {"agent", agent},
                                  {"systemCapabilities", capabilities}});
}

HttpResponse DeleteSession(DevOpsService& service, const HttpRequest& r, const Caller& c) {
  const std::string& session_id = r.params.at(1);
  std::optional<SessionRecord> session = service.runtime().sessions().Find(session_id);
  if (!session || session->agent_id != c.agent.id) return SessionExpired(session_id);
  service.runtime().sessions().Close(session_id);
  (void)service.org().UpdateAgent(c.pool.id, c.agent.id, [&](AgentRecord& agent) {
    agent.status = "offline";
    agent.status_changed_on = service.context().Now();
  });
  return HttpResponse::Empty(204);
}

HttpResponse GetMessage(DevOpsService& service, const HttpRequest& r, const Caller& c) {
  const std::string session_id = r.Query("sessionId").value_or("");
  SessionBoard& sessions = service.runtime().sessions();
  std::optional<SessionRecord> session = sessions.Find(session_id);
  if (!session || session->agent_id != c.agent.id) return SessionExpired(session_id);
  sessions.Touch(session_id, service.context().Now());
  // lastMessageId is accepted and ignored: a message leaves the queue only by DELETE.
  std::optional<AgentMessage> message =
      service.runtime().parking().Park(session_id, service.runtime().message_poll());
  if (message) {
    return HttpResponse::Json(200, {{"messageId", message->message_id},
                                    {"messageType", message->message_type},
                                    {"body", message->body}});
  }
  if (!sessions.shut_down() && !sessions.Find(session_id)) {
    if (!service.org().FindAgent(c.pool.id, c.agent.id)) {
      return AgentNotFound(r.params.at(0), std::to_string(c.agent.id));
    }
    return SessionExpired(session_id);
  }
  sessions.Touch(session_id, service.context().Now());
  return HttpResponse::Empty(202);
}

HttpResponse DeleteMessage(DevOpsService& service, const HttpRequest& r, const Caller& c) {
  const std::string session_id = r.Query("sessionId").value_or("");
  std::optional<SessionRecord> session = service.runtime().sessions().Find(session_id);
  if (!session || session->agent_id != c.agent.id) return SessionExpired(session_id);
  std::optional<int64_t> id = ParseInt64(r.params.at(1));
  if (id) service.runtime().sessions().Delete(c.pool.id, c.agent.id, *id);
  return HttpResponse::Empty(204);
}

using CallerHandler = HttpResponse (*)(DevOpsService&, const HttpRequest&, const Caller&);

Handler Route(const ServicePtr& service, CallerHandler handler) {
  return Guarded(service, true, [service, handler](const HttpRequest& r, const Principal& p) {
    tl::expected<Caller, HttpResponse> caller = ResolveCaller(*service, r, p);
    if (!caller) return caller.error();
    return handler(*service, r, *caller);
  });
}

}  // namespace

void RegisterDevOpsSessionRoutes(Router& router, const ServicePtr& service) {
  const std::string pool =
      OrgPathPrefix(service->context()) + "/_apis/distributedtask/pools/([0-9]+)";
  router.Add("POST", pool + "/sessions/?", Route(service, CreateSession));
  router.Add("DELETE", pool + "/sessions/([^/]+)/?", Route(service, DeleteSession));
  router.Add("GET", pool + "/messages/?", Route(service, GetMessage));
  router.Add("DELETE", pool + "/messages/([0-9]+)/?", Route(service, DeleteMessage));
}

}  // namespace agentboot::sim::detail

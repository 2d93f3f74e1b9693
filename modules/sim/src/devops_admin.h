// The simulated Azure DevOps's answers for the admin commands (devops_admin_routes.cc).
#pragma once

#include "devops_service.h"

namespace agentboot::sim::detail {

// Adds `lastCompletedRequest` (the agent's job request that finished last) to an agent's JSON
// when the request's query has includeLastCompletedRequest=true.
void AddLastCompletedRequest(const DevOpsService& service, const HttpRequest& request,
                             const AgentRecord& agent, nlohmann::json& body);

// False when the request asks for actionFilter=manage and the caller does not administer the
// pool.
bool PoolMatchesActionFilter(const DevOpsService& service, const HttpRequest& request,
                             const Principal& principal, int64_t pool_id);

// connectionData's answer for an identity switched to anonymous, else nullopt.
std::optional<HttpResponse> AnonymousConnectionData(const DevOpsService& service,
                                                    const Principal& principal);

// POST /_control/devops/agents and /_control/devops/anonymous (see the .cc).
void RegisterDevOpsAdminControlRoutes(Router& router, const ServicePtr& service);

}  // namespace agentboot::sim::detail

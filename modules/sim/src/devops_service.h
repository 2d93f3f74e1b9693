// The simulated Azure DevOps service: the organization state plus what every request needs
// (authentication like the real service, membership, throttling, the agents' own OAuth tokens),
// shared by the route groups through one shared_ptr the router's handlers capture. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "devops_admin_state.h"
#include "devops_assertion.h"
#include "devops_org.h"
#include "devops_runtime.h"
#include "devops_throttle.h"
#include "sim_internal.h"

namespace agentboot::sim::detail {

// Who made a request: an Entra identity (oid) or a registered agent (its clientId).
struct Principal {
  std::string id;  // oid, or the agent's clientId
  std::string display_name;
  bool is_agent = false;
  TokenBucketThrottle::Verdict rate;
};

using Admission = tl::expected<Principal, HttpResponse>;

class DevOpsService {
 public:
  // `context` outlives the service.
  DevOpsService(SimContext& context, std::unique_ptr<DevOpsOrg> org);

  SimContext& context() const { return context_; }
  DevOpsOrg& org() const { return *org_; }
  TokenBucketThrottle& throttle() const { return *throttle_; }
  JtiCache& jtis() const { return *jtis_; }
  // Sessions, messages and dispatch (devops_sessions_routes.cc, devops_jobs_routes.cc).
  DevOpsRuntime& runtime() const { return *runtime_; }
  // Failure switches for `agentboot doctor` (devops_admin_routes.cc).
  AdminSwitches& admin_switches() const { return *admin_switches_; }

  // http(s)://127.0.0.1:<port> matching the listener the request came in on.
  std::string BaseUrl(const HttpRequest& request) const;
  std::string OrgUrl(const HttpRequest& request) const;  // <base>/<organization>
  // The authorizationUrl handed to agents registered through `base` (also their token endpoint).
  std::string AuthorizationUrl(const std::string& base) const;

  // Authentication (Bearer, Basic with a token or PAT), membership and throttling, in the
  // service's order. The HttpResponse is the answer to send when the request is refused.
  // `allow_agents`: an agent's OAuth access token is accepted too.
  Admission Admit(const HttpRequest& request, bool allow_agents) const;
  // True when the simulated tenant knows `oid` (then it is a member by default).
  bool IsKnownIdentity(const std::string& oid) const;
  bool IsPoolAdmin(const Principal& principal, int64_t pool_id) const;

  // The agent whose OAuth access token this is, if it verifies and the agent still exists.
  std::optional<AgentRecord> VerifyAgentBearer(std::string_view token) const;
  // An access token for `agent` (aud "agent:<clientId>"), valid for `lifetime`.
  std::string IssueAgentToken(const AgentRecord& agent, std::chrono::seconds lifetime) const;
  // Expires sessions idle for runtime().session_idle() and marks their agents offline.
  void ExpireIdleSessions() const;

 private:
  std::optional<Principal> IdentityFromToken(std::string_view token) const;

  SimContext& context_;
  std::unique_ptr<DevOpsOrg> org_;
  std::unique_ptr<TokenBucketThrottle> throttle_;
  std::unique_ptr<JtiCache> jtis_;
  std::unique_ptr<DevOpsRuntime> runtime_;
  std::unique_ptr<AdminSwitches> admin_switches_ = std::make_unique<AdminSwitches>();
};

// Route groups (devops_*_routes.cc). Organization routes are under "/<organization>".
using ServicePtr = std::shared_ptr<DevOpsService>;
using GuardedHandler = std::function<HttpResponse(const HttpRequest&, const Principal&)>;

// Admits the request, runs `handler`, adds the rate-limit headers, and turns an escaped
// exception (a JSON type error from a request body) into a 400 wrapped exception.
// 400 VssInvalidPreviewVersionException for a non-preview api-version of a resource that has
// no released version (devops_api_version.cc); nullopt when the request may go on.
std::optional<HttpResponse> CheckApiVersion(const HttpRequest& request);

Handler Guarded(const ServicePtr& service, bool allow_agents, GuardedHandler handler);
// The same exception guard without authentication (control API, downloads, token endpoint).
Handler Unguarded(Handler handler);
std::optional<nlohmann::json> JsonBody(const HttpRequest& request);
std::string OrgPathPrefix(const SimContext& context);  // "/<organization>" regex-escaped

void RegisterDevOpsLocationRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsPoolRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsAgentRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsPackageRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsOAuthRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsControlRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsSessionRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsJobRoutes(Router& router, const ServicePtr& service);
void RegisterDevOpsJobControlRoutes(Router& router, const ServicePtr& service);
// Registers agent packages from files (agentboot-sim --agent-package), like the control route.
void PreloadAgentPackages(DevOpsService& service,
                          const std::vector<std::pair<std::string, std::string>>& packages);

}  // namespace agentboot::sim::detail

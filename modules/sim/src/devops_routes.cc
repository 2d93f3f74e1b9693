// Entry point of the simulated Azure DevOps (RegisterDevOpsRoutes) and the pool routes.
#include <iostream>

#include "devops_admin.h"
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

HttpResponse PoolNotFound(const std::string& pool) {
  return WrappedException(404, "TaskAgentPoolNotFoundException",
                          "Agent pool " + pool + " could not be found.");
}

HttpResponse ListPools(const DevOpsService& service, const HttpRequest& request,
                       const Principal& principal) {
  std::optional<std::string> name = request.Query("poolName");
  std::optional<std::string> type = request.Query("poolType");
  json value = json::array();
  if (!type || EqualsIgnoreCase(*type, "automation")) {
    for (const PoolRecord& pool : service.org().Pools()) {
      if (name && !name->empty() && !EqualsIgnoreCase(*name, pool.name)) continue;
      if (!PoolMatchesActionFilter(service, request, principal, pool.id)) continue;
      const auto size = static_cast<int64_t>(service.org().Agents(pool.id).size());
      value.push_back(PoolJson(pool, size, service.OrgUrl(request)));
    }
  }
  return HttpResponse::Json(200, Collection(value));
}

HttpResponse GetPool(const DevOpsService& service, const HttpRequest& request) {
  std::optional<int64_t> id = ParseInt64(request.params.at(0));
  std::optional<PoolRecord> pool = id ? service.org().FindPool(*id) : std::nullopt;
  if (!pool) return PoolNotFound(request.params.at(0));
  const auto size = static_cast<int64_t>(service.org().Agents(pool->id).size());
  return HttpResponse::Json(200, PoolJson(*pool, size, service.OrgUrl(request)));
}

}  // namespace

void RegisterDevOpsPoolRoutes(Router& router, const ServicePtr& service) {
  const std::string base = OrgPathPrefix(service->context()) + "/_apis/distributedtask/pools";
  router.Add("GET", base + "/?",
             Guarded(service, false, [service](const HttpRequest& r, const Principal& p) {
               return ListPools(*service, r, p);
             }));
  router.Add("GET", base + "/([0-9]+)/?",
             Guarded(service, true,
                     [service](const HttpRequest& r, auto&) { return GetPool(*service, r); }));
}

constexpr Duration kStateFileSaveDelay = std::chrono::milliseconds(100);

void RegisterDevOpsRoutes(Router& router, SimContext& context) {
  const SimConfig& config = context.config();
  auto org = std::make_unique<DevOpsOrg>(PosixFileSystem(), SystemRandom(), config.state_file,
                                         context.Now());
  if (Status loaded = org->Load(); !loaded) {
    // A corrupt state file must not stop the simulator; start empty and say why.
    std::cerr << "agentboot-sim: ignoring Azure DevOps state: " << loaded.error().ToString()
              << "\n";
  }
  // A fleet changes the organization hundreds of times a second; one write per burst.
  org->CoalesceSaves(kStateFileSaveDelay);
  auto service = std::make_shared<DevOpsService>(context, std::move(org));
  RegisterDevOpsControlRoutes(router, service);
  RegisterDevOpsAdminControlRoutes(router, service);
  RegisterDevOpsOAuthRoutes(router, service);
  RegisterDevOpsLocationRoutes(router, service);
  RegisterDevOpsPoolRoutes(router, service);
  RegisterDevOpsAgentRoutes(router, service);
  RegisterDevOpsPackageRoutes(router, service);
  RegisterDevOpsSessionRoutes(router, service);
  RegisterDevOpsJobRoutes(router, service);
  RegisterDevOpsJobControlRoutes(router, service);
  PreloadAgentPackages(*service, config.agent_packages);
  std::weak_ptr<DevOpsService> weak = service;
  context.AddStatsSource("devops", [weak] {
    std::shared_ptr<DevOpsService> alive = weak.lock();
    if (!alive) return nlohmann::json::object();
    const TokenBucketThrottle::Counters throttle = alive->throttle().counters();
    return nlohmann::json{{"sessions", alive->runtime().sessions().Sessions().size()},
                          {"parked_polls", alive->runtime().parking().parked()},
                          {"peak_parked_polls", alive->runtime().parking().peak_parked()},
                          {"throttled", throttle.refused},
                          {"early_after_retry_after", throttle.early}};
  });
  context.AddStopHook([weak] {
    std::shared_ptr<DevOpsService> alive = weak.lock();
    if (!alive) return;
    alive->runtime().sessions().Shutdown();
    alive->runtime().parking().Stop();
    alive->org().FlushSaves();
  });
}

}  // namespace agentboot::sim::detail

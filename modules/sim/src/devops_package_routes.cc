// Agent packages (agent-contract §6), their downloads (anonymous, like the real CDN) and the
// job-request list of a pool.
#include <algorithm>

#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

std::optional<int64_t> Top(const HttpRequest& r) {
  std::optional<std::string> top = r.Query("$top");
  if (!top) top = r.Query("top");
  if (!top) return std::nullopt;
  return ParseInt64(*top);
}

HttpResponse ListPackages(const DevOpsService& service, const HttpRequest& r) {
  const std::string type = r.params.at(0);
  std::string platform = r.params.size() > 1 ? r.params.at(1) : r.Query("platform").value_or("");
  std::vector<PackageRecord> packages = service.org().Packages(type, platform);
  if (r.params.size() > 2) {
    for (const PackageRecord& package : packages) {
      if (package.version == r.params.at(2)) {
        return HttpResponse::Json(200, PackageJson(package, service.BaseUrl(r)));
      }
    }
    return WrappedException(
        404, "PackageNotFoundException",
        "Package " + type + " " + platform + " " + r.params.at(2) + " could not be found.");
  }
  json value = json::array();
  std::optional<int64_t> top = Top(r);
  for (const PackageRecord& package : packages) {
    if (top && static_cast<int64_t>(value.size()) >= *top) break;
    value.push_back(PackageJson(package, service.BaseUrl(r)));
  }
  return HttpResponse::Json(200, Collection(value));
}

HttpResponse Download(const DevOpsService& service, const HttpRequest& r) {
  std::optional<PackageRecord> package = service.org().FindPackageByFilename(r.params.at(0));
  if (!package) return HttpResponse::Text(404, "text/plain", "BlobNotFound\n");
  Result<std::string> bytes = PosixFileSystem().ReadFile(package->path);
  if (!bytes) return HttpResponse::Text(404, "text/plain", "BlobNotFound\n");
  return HttpResponse::Text(200, "application/octet-stream", std::move(*bytes));
}

HttpResponse ListJobRequests(const DevOpsService& service, const HttpRequest& r) {
  std::optional<int64_t> pool_id = ParseInt64(r.params.at(0));
  if (!pool_id || !service.org().FindPool(*pool_id)) {
    return WrappedException(404, "TaskAgentPoolNotFoundException",
                            "Agent pool " + r.params.at(0) + " could not be found.");
  }
  std::optional<int64_t> agent_id;
  if (std::optional<std::string> text = r.Query("agentId")) agent_id = ParseInt64(*text);
  // GetAgentRequestsForAgentAsync(poolId, agentId, completedRequestCount): an agent's unfinished
  // requests, plus its most recent finished ones only as many as completedRequestCount asks
  // (agent-audit D6). Without agentId, every request of the pool.
  std::vector<JobRequestRecord> requests = service.org().JobRequests(*pool_id, agent_id);
  if (agent_id) {
    const int64_t completed =
        ParseInt64(r.Query("completedRequestCount").value_or("0")).value_or(0);
    std::vector<JobRequestRecord> finished;
    std::vector<JobRequestRecord> kept;
    for (JobRequestRecord& request : requests) {
      (request.finish_time ? finished : kept).push_back(std::move(request));
    }
    std::stable_sort(finished.begin(), finished.end(),
                     [](const auto& a, const auto& b) { return *a.finish_time > *b.finish_time; });
    for (size_t i = 0; i < finished.size() && static_cast<int64_t>(i) < completed; ++i) {
      kept.push_back(finished[i]);
    }
    requests = std::move(kept);
  }
  json value = json::array();
  for (const JobRequestRecord& request : requests) {
    std::optional<AgentRecord> agent = service.org().FindAgent(*pool_id, request.agent_id);
    value.push_back(JobRequestJson(request, agent ? agent->name : std::string()));
  }
  return HttpResponse::Json(200, Collection(value));
}

}  // namespace

void RegisterDevOpsPackageRoutes(Router& router, const ServicePtr& service) {
  const std::string api = OrgPathPrefix(service->context()) + "/_apis/distributedtask";
  auto list = Guarded(service, true, [service](const HttpRequest& r, const Principal&) {
    return ListPackages(*service, r);
  });
  router.Add("GET", api + "/packages/([^/]+)/?", list);
  router.Add("GET", api + "/packages/([^/]+)/([^/]+)/?", list);
  router.Add("GET", api + "/packages/([^/]+)/([^/]+)/([^/]+)/?", list);
  router.Add("GET", api + "/pools/([0-9]+)/jobrequests/?",
             Guarded(service, true, [service](const HttpRequest& r, const Principal&) {
               return ListJobRequests(*service, r);
             }));
  router.Add("GET", "/_downloads/([^/]+)",
             Unguarded([service](const HttpRequest& r) { return Download(*service, r); }));
}

}  // namespace agentboot::sim::detail

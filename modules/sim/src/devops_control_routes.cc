// Control API of the simulated Azure DevOps, under /_control/devops: shape the organization
// (pools, members, pool administrators, PATs, packages, job requests), throttle, and read the
// whole state.
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

HttpResponse BadRequest(const std::string& message) {
  return HttpResponse::Json(400, {{"error", message}});
}

std::optional<int64_t> PoolIdOf(const DevOpsService& service, const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    if (auto pool = service.org().FindPoolByName(value.get<std::string>())) return pool->id;
  }
  return std::nullopt;
}

using BodyHandler = std::function<HttpResponse(DevOpsService&, const json&)>;

Handler WithBody(const ServicePtr& service, BodyHandler handler) {
  return Unguarded([service, handler = std::move(handler)](const HttpRequest& r) {
    std::optional<json> body = JsonBody(r);
    if (!body) return BadRequest("expected a JSON object");
    return handler(*service, *body);
  });
}

HttpResponse AddPackage(DevOpsService& service, const json& body) {
  PackageRecord package;
  package.version = body.value("version", "");
  package.platform = body.value("platform", "linux-x64");
  package.type = body.value("type", "agent");
  package.path = body.value("path", "");
  if (!ParsePackageVersion(package.version) || package.path.empty()) {
    return BadRequest("version (a.b.c) and path are required");
  }
  package.filename =
      body.value("filename", "vsts-agent-" + package.platform + "-" + package.version + ".tar.gz");
  Result<std::string> bytes = PosixFileSystem().ReadFile(package.path);
  if (!bytes) return BadRequest(bytes.error().ToString());
  package.hash = jose::Sha256Hex(*bytes);
  package.created_on = service.context().Now();
  service.org().AddPackage(package);
  return HttpResponse::Json(200, PackageJson(package, service.context().http_base()));
}

HttpResponse AddJobRequest(DevOpsService& service, const json& body) {
  JobRequestRecord request;
  std::optional<int64_t> pool = PoolIdOf(service, body.value("pool", json(1)));
  if (!pool || !body.contains("agent_id")) return BadRequest("pool and agent_id are required");
  request.pool_id = *pool;
  request.agent_id = body.at("agent_id").get<int64_t>();
  request.result = body.value("result", "");
  request.queue_time = service.context().Now();
  if (body.value("running", true) || !request.result.empty()) {
    request.assign_time = request.queue_time;
  }
  if (!request.result.empty()) request.finish_time = request.queue_time;
  Result<JobRequestRecord> added = service.org().AddJobRequest(request);
  if (!added) return BadRequest(added.error().detail);
  return HttpResponse::Json(200, JobRequestJson(*added, ""));
}

HttpResponse Throttle(DevOpsService& service, const json& body) {
  double rate = body.value("requests_per_minute", body.value("rate", 0.0));
  service.throttle().Configure(rate, body.value("burst", 0.0), body.value("oid", ""));
  return HttpResponse::Json(200, {{"requests_per_minute", rate}});
}

}  // namespace

void RegisterDevOpsControlRoutes(Router& router, const ServicePtr& service) {
  const std::string control = "/_control/devops";
  router.Add("GET", control + "/state/?", Unguarded([service](const HttpRequest&) {
               return HttpResponse::Json(200, service->org().ToJson());
             }));
  router.Add("POST", control + "/packages/?", WithBody(service, AddPackage));
  router.Add("POST", control + "/jobrequests/?", WithBody(service, AddJobRequest));
  router.Add("POST", control + "/throttle/?", WithBody(service, Throttle));
  router.Add(
      "POST", control + "/members/?", WithBody(service, [](auto& s, const json& body) {
        const std::string oid = body.value("oid", "");
        if (oid.empty()) return BadRequest("oid is required");
        s.org().SetMember(oid, body.value("member", true));
        return HttpResponse::Json(200, {{"oid", oid}, {"member", body.value("member", true)}});
      }));
  router.Add("POST", control + "/pool-admins/?", WithBody(service, [](auto& s, const json& body) {
               std::optional<int64_t> pool = PoolIdOf(s, body.value("pool", json(nullptr)));
               const std::string oid = body.value("oid", "");
               if (!pool || oid.empty()) return BadRequest("pool and oid are required");
               s.org().SetPoolAdmin(*pool, oid, body.value("admin", true));
               return HttpResponse::Json(200, {{"pool", *pool}, {"oid", oid}});
             }));
  router.Add("POST", control + "/pools/?", WithBody(service, [](auto& s, const json& body) {
               if (body.value("name", "").empty()) return BadRequest("name is required");
               Result<PoolRecord> pool = s.org().AddPool(
                   body.value("name", ""), body.value("hosted", false), s.context().Now());
               if (!pool) return BadRequest(pool.error().detail);
               return HttpResponse::Json(200, {{"id", pool->id}, {"name", pool->name}});
             }));
  router.Add("POST", control + "/pats/?", WithBody(service, [](auto& s, const json& body) {
               const std::string pat = body.value("pat", "");
               const std::string oid = body.value("oid", "");
               if (pat.empty() || oid.empty()) return BadRequest("pat and oid are required");
               s.org().AddPat(pat, oid);
               return HttpResponse::Json(200, {{"oid", oid}});
             }));
}

}  // namespace agentboot::sim::detail

#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

constexpr const char* kWebApi = "Microsoft.TeamFoundation.DistributedTask.WebApi";

// A small copy of the real sign-in interstitial: enough for a client to see HTML, a title
// and a sign-in link, which is how users recognise the failure in logs.
std::string SignInPage(const std::string& path) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>Azure DevOps Services | Sign In</title>\n</head>\n<body>\n"
         "<div class=\"signin\">\n<h1>Sign in to Azure DevOps</h1>\n"
         "<p>You need to sign in to access this page.</p>\n"
         "<a href=\"/_signin?realm=dev.azure.com&amp;reply_to=" +
         UrlEncode(path) + "\">Sign in</a>\n</div>\n</body>\n</html>\n";
}

}  // namespace

HttpResponse WrappedException(int status, const std::string& type_key, const std::string& message) {
  json body = {
      {"$id", "1"},          {"innerException", nullptr},
      {"message", message},  {"typeName", std::string(kWebApi) + "." + type_key + ", " + kWebApi},
      {"typeKey", type_key}, {"errorCode", 0},
      {"eventId", 3000}};
  return HttpResponse::Json(status, body);
}

HttpResponse AuthenticationRequired(const HttpRequest& request, const std::string& tenant_id,
                                    const std::string& message) {
  std::optional<std::string> redirect = request.Header("X-TFS-FedAuthRedirect");
  if (redirect && EqualsIgnoreCase(Trim(*redirect), "Suppress")) {
    json body = {{"$id", "1"},
                 {"innerException", nullptr},
                 {"message", message},
                 {"typeName",
                  "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, "
                  "Microsoft.TeamFoundation.Framework.Server"},
                 {"typeKey", "UnauthorizedRequestException"},
                 {"errorCode", 0},
                 {"eventId", 3000}};
    HttpResponse response = HttpResponse::Json(401, body);
    response
        .With("WWW-Authenticate",
              "Bearer authorization_uri=https://login.microsoftonline.com/" + tenant_id)
        .With("X-TFS-ServiceError", UrlEncode(message))
        .With("X-VSS-ResourceTenant", tenant_id);
    return response;
  }
  HttpResponse page = HttpResponse::Text(203, "text/html; charset=utf-8", SignInPage(request.path));
  page.With("X-VSS-ResourceTenant", tenant_id);
  return page;
}

void AddRateLimitHeaders(HttpResponse& response, const TokenBucketThrottle::Verdict& verdict) {
  if (!verdict.active) return;
  response.With("X-RateLimit-Resource", "Core")
      .With("X-RateLimit-Limit", std::to_string(verdict.limit))
      .With("X-RateLimit-Remaining", std::to_string(verdict.remaining))
      .With("X-RateLimit-Reset", std::to_string(verdict.reset_epoch));
}

HttpResponse Throttled(const TokenBucketThrottle::Verdict& verdict) {
  HttpResponse response = WrappedException(
      429, "RequestBlockedException",
      "TF400733: The request has been canceled: Request was blocked due to exceeding usage of "
      "resource 'Core' in namespace 'User'.");
  response.With("Retry-After", std::to_string(verdict.retry_after_seconds))
      .With("X-RateLimit-Resource", "Core")
      .With("X-RateLimit-Delay", std::to_string(verdict.retry_after_seconds) + ".000")
      .With("X-RateLimit-Limit", std::to_string(verdict.limit))
      .With("X-RateLimit-Remaining", "0")
      .With("X-RateLimit-Reset", std::to_string(verdict.reset_epoch));
  return response;
}

json Collection(const json& items) { return {{"count", items.size()}, {"value", items}}; }

json PoolJson(const PoolRecord& pool, int64_t size, const std::string& org_url) {
  json owner = {{"displayName", "Project Collection Build Service"},
                {"id", "8d7a6b3c-0000-4000-8000-000000000001"},
                {"uniqueName", "Build\\" + std::string(kEmptyGuid)}};
  return {{"createdOn", FormatUtc(pool.created_on)},
          {"autoProvision", !pool.is_hosted},
          {"autoUpdate", true},
          {"autoSize", pool.is_hosted},
          {"targetSize", nullptr},
          {"agentCloudId", pool.is_hosted ? json(1) : json(nullptr)},
          {"createdBy", owner},
          {"owner", owner},
          {"id", pool.id},
          {"scope", "0a1b2c3d-0000-4000-8000-000000000001"},
          {"name", pool.name},
          {"isHosted", pool.is_hosted},
          {"poolType", "automation"},
          {"size", size},
          {"isLegacy", pool.is_hosted},
          {"options", "none"},
          {"_links",
           {{"self",
             {{"href", org_url + "/_apis/distributedtask/pools/" + std::to_string(pool.id)}}}}}};
}

json AgentJson(const AgentRecord& agent, bool include_capabilities, const std::string& org_url) {
  const std::string self = org_url + "/_apis/distributedtask/pools/" +
                           std::to_string(agent.pool_id) + "/agents/" + std::to_string(agent.id);
  json authorization = {{"clientId", agent.client_id},
                        {"authorizationUrl", agent.authorization_url}};
  if (!agent.public_key_modulus.empty()) {
    authorization["publicKey"] = {{"exponent", agent.public_key_exponent},
                                  {"modulus", agent.public_key_modulus}};
  }
  json body = {{"_links", {{"self", {{"href", self}}}}},
               {"maxParallelism", agent.max_parallelism},
               {"createdOn", FormatUtc(agent.created_on)},
               {"statusChangedOn", FormatUtc(agent.status_changed_on)},
               {"authorization", authorization},
               {"id", agent.id},
               {"name", agent.name},
               {"version", agent.version},
               {"osDescription", agent.os_description},
               {"enabled", agent.enabled},
               {"status", agent.status},
               {"provisioningState", agent.provisioning_state},
               {"accessPoint", "CodexAccessMapping"}};
  if (include_capabilities) {
    body["systemCapabilities"] = agent.system_capabilities;
    body["userCapabilities"] = agent.user_capabilities;
  }
  return body;
}

json PackageJson(const PackageRecord& package, const std::string& base_url) {
  std::array<int64_t, 3> version =
      ParsePackageVersion(package.version).value_or(std::array<int64_t, 3>{0, 0, 0});
  return {{"type", package.type},
          {"platform", package.platform},
          {"createdOn", FormatUtc(package.created_on)},
          {"version", {{"major", version[0]}, {"minor", version[1]}, {"patch", version[2]}}},
          {"downloadUrl", base_url + "/_downloads/" + UrlEncode(package.filename)},
          {"hashValue", package.hash},
          {"infoUrl", "https://go.microsoft.com/fwlink/?LinkId=798199"},
          {"filename", package.filename}};
}

json JobRequestJson(const JobRequestRecord& request, const std::string& agent_name) {
  json body = {{"requestId", request.request_id},
               {"queueTime", FormatUtc(request.queue_time)},
               {"poolId", request.pool_id},
               {"planType", "Build"}};
  // A queued request has no agent yet.
  if (request.agent_id != 0) {
    body["reservedAgent"] = {{"id", request.agent_id}, {"name", agent_name}};
  }
  if (request.assign_time) body["assignTime"] = FormatUtc(*request.assign_time);
  if (request.finish_time) body["finishTime"] = FormatUtc(*request.finish_time);
  if (!request.result.empty()) body["result"] = request.result;
  if (!request.plan_id.empty()) {
    body["planId"] = request.plan_id;
    body["jobId"] = request.job_id;
    body["demands"] = request.demands;
  }
  if (request.locked_until) body["lockedUntil"] = FormatUtc(*request.locked_until);
  return body;
}

}  // namespace agentboot::sim::detail

// IMDS: managed identity tokens, instance metadata and scheduled events, with IMDS's quirks
// (Metadata header, no proxies, string-typed JSON, Server header).
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

constexpr char kImdsServer[] = "IMDS/150.870.65.1854";

HttpResponse ImdsJson(int status, const nlohmann::json& body) {
  return HttpResponse::Json(status, body).With("Server", kImdsServer);
}

HttpResponse ImdsError(int status, std::string error, std::string description) {
  return ImdsJson(status,
                  {{"error", std::move(error)}, {"error_description", std::move(description)}});
}

// The checks every IMDS route makes before anything else; nullopt when the request may proceed.
std::optional<HttpResponse> CheckImdsRequest(const HttpRequest& request) {
  if (request.Header("X-Forwarded-For")) {
    return ImdsError(400, "bad_request",
                     "Requests through a proxy (X-Forwarded-For) are not allowed");
  }
  if (request.Header("Metadata") != std::optional<std::string>("true")) {
    return ImdsError(400, "bad_request_102", "Required metadata header not specified");
  }
  const auto version = request.Query("api-version");
  if (!version || version->empty()) {
    return ImdsJson(400, {{"error",
                           "Bad request. api-version is invalid or was not specified in the "
                           "request. For more information refer to aka.ms/azureimds"},
                          {"newest-versions", {"2025-04-07", "2024-07-17", "2023-07-01"}}});
  }
  return std::nullopt;
}

// IMDS over its per-VM limits answers 429 (imds_limits.h); what the body says is not documented
// and clients act on the status alone (identity-contract §2.1), so it keeps IMDS's error shape.
HttpResponse TooManyRequests() {
  return ImdsError(429, "too_many_requests", "IMDS throttle limit reached");
}

HttpResponse Token(const SimContext& context, const HttpRequest& request) {
  if (auto rejected = CheckImdsRequest(request)) return *rejected;
  const auto admission = context.imds().limits().Enter(ImdsCategory::kIdentity, context.Now());
  if (!admission) return TooManyRequests();
  const std::string resource = request.Query("resource").value_or("");
  if (resource.empty()) {
    return ImdsError(400, "invalid_request", "Required audience parameter not specified");
  }
  // IMDS takes msi_res_id; mi_res_id (App Service's name) is ignored like the real service does.
  const auto identity = context.FindManagedIdentity(request.Query("client_id").value_or(""),
                                                    request.Query("object_id").value_or(""),
                                                    request.Query("msi_res_id").value_or(""));
  if (!identity) return ImdsError(400, "invalid_request", "Identity not found");
  const TimePoint now = context.Now();
  const auto lifetime = std::chrono::seconds(86399);
  const nlohmann::json body = {
      {"access_token", context.IssueAccessToken(*identity, resource, lifetime)},
      {"refresh_token", ""},
      {"expires_in", std::to_string(lifetime.count())},
      {"expires_on", UnixString(now + lifetime)},
      {"ext_expires_in", std::to_string(lifetime.count())},
      {"not_before", UnixString(now)},
      {"resource", resource},
      {"token_type", "Bearer"},
  };
  return ImdsJson(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

HttpResponse Instance(const SimContext& context, const HttpRequest& request, bool compute_only) {
  if (auto rejected = CheckImdsRequest(request)) return *rejected;
  const auto admission = context.imds().limits().Enter(ImdsCategory::kOther, context.Now());
  if (!admission) return TooManyRequests();
  const nlohmann::json compute = context.imds().Compute();
  if (compute_only) return ImdsJson(200, compute);
  const nlohmann::json network = {
      {"interface",
       {{{"ipv4",
          {{"ipAddress", {{{"privateIpAddress", "10.0.0.4"}, {"publicIpAddress", ""}}}},
           {"subnet", {{{"address", "10.0.0.0"}, {"prefix", "24"}}}}}},
         {"ipv6", {{"ipAddress", nlohmann::json::array()}}},
         {"macAddress", "000D3A000001"}}}}};
  return ImdsJson(200, {{"compute", compute}, {"network", network}});
}

HttpResponse ScheduledEvents(const SimContext& context, const HttpRequest& request) {
  if (auto rejected = CheckImdsRequest(request)) return *rejected;
  const auto admission = context.imds().limits().Enter(ImdsCategory::kOther, context.Now());
  if (!admission) return TooManyRequests();
  if (request.method == "GET") return ImdsJson(200, context.imds().EventsDocument());
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("StartRequests") || !body["StartRequests"].is_array()) {
    return ImdsError(400, "bad_request", "Malformed StartRequests payload");
  }
  std::vector<std::string> ids;
  for (const auto& start : body["StartRequests"]) {
    if (!start.is_object() || !start.contains("EventId") || !start["EventId"].is_string()) {
      return ImdsError(400, "bad_request", "Malformed StartRequests payload");
    }
    ids.push_back(start["EventId"].get<std::string>());
  }
  if (!context.imds().StartEvents(ids, context.Now())) {
    return ImdsError(400, "bad_request", "Unknown EventId");
  }
  return HttpResponse::Empty(200).With("Server", kImdsServer);
}

}  // namespace

void RegisterImdsRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  router.Add("GET", "/metadata/identity/oauth2/token/?",
             [ctx](const HttpRequest& r) { return Token(*ctx, r); });
  router.Add("GET", "/metadata/instance/?",
             [ctx](const HttpRequest& r) { return Instance(*ctx, r, false); });
  router.Add("GET", "/metadata/instance/compute/?",
             [ctx](const HttpRequest& r) { return Instance(*ctx, r, true); });
  router.Add("GET", "/metadata/scheduledevents/?",
             [ctx](const HttpRequest& r) { return ScheduledEvents(*ctx, r); });
  router.Add("POST", "/metadata/scheduledevents/?",
             [ctx](const HttpRequest& r) { return ScheduledEvents(*ctx, r); });
}

}  // namespace agentboot::sim::detail

// App Service / Container Apps managed identity: 2019-08-01 (X-IDENTITY-HEADER) and the legacy
// 2017-09-01 protocol (secret header, date-string expires_on).
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

constexpr auto kLifetime = std::chrono::seconds(86399);

HttpResponse AppServiceError(int status, std::string message) {
  return HttpResponse::Json(status, {{"statusCode", status}, {"message", std::move(message)}});
}

HttpResponse Token2019(const SimContext& context, const HttpRequest& request) {
  const auto secret = request.Header("X-IDENTITY-HEADER");
  if (!secret || *secret != context.identity_header()) {
    return AppServiceError(401, "Unauthorized: X-IDENTITY-HEADER is missing or wrong.");
  }
  if (request.Query("api-version") != std::optional<std::string>("2019-08-01")) {
    return AppServiceError(400, "Unsupported or missing api-version; expected 2019-08-01.");
  }
  const std::string resource = request.Query("resource").value_or("");
  if (resource.empty()) return AppServiceError(400, "Missing resource parameter.");
  // principal_id and object_id are the same selector (C++ sends the former, MSAL the latter).
  std::string object_id = request.Query("principal_id").value_or("");
  if (object_id.empty()) object_id = request.Query("object_id").value_or("");
  const auto identity = context.FindManagedIdentity(
      request.Query("client_id").value_or(""), object_id, request.Query("mi_res_id").value_or(""));
  if (!identity) {
    return AppServiceError(400,
                           "No Managed Identity found for specified ClientId/ResourceId/"
                           "PrincipalId.");
  }
  const TimePoint now = context.Now();
  const nlohmann::json body = {
      {"access_token", context.IssueAccessToken(*identity, resource, kLifetime)},
      {"expires_on", UnixString(now + kLifetime)},
      {"resource", resource},
      {"token_type", "Bearer"},
      {"client_id", identity->client_id},
  };
  return HttpResponse::Json(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

HttpResponse Token2017(const SimContext& context, const HttpRequest& request) {
  const auto secret = request.Header("secret");
  if (!secret || *secret != context.identity_header()) {
    return AppServiceError(401, "Unauthorized: secret header is missing or wrong.");
  }
  if (request.Query("api-version") != std::optional<std::string>("2017-09-01")) {
    return AppServiceError(400, "Unsupported or missing api-version; expected 2017-09-01.");
  }
  const std::string resource = request.Query("resource").value_or("");
  if (resource.empty()) return AppServiceError(400, "Missing resource parameter.");
  const auto identity = context.FindManagedIdentity(request.Query("clientid").value_or(""), "", "");
  if (!identity) return AppServiceError(400, "No Managed Identity found for specified ClientId.");
  const TimePoint now = context.Now();
  const nlohmann::json body = {
      {"access_token", context.IssueAccessToken(*identity, resource, kLifetime)},
      {"expires_on", FormatAppService2017(now + kLifetime)},
      {"resource", resource},
      {"token_type", "Bearer"},
  };
  return HttpResponse::Json(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

}  // namespace

void RegisterAppServiceRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  router.Add("GET", "/msi/token/?", [ctx](const HttpRequest& r) { return Token2019(*ctx, r); });
  router.Add("GET", "/msi/token2017/?", [ctx](const HttpRequest& r) { return Token2017(*ctx, r); });
}

}  // namespace agentboot::sim::detail

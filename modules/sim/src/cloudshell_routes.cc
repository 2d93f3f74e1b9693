// Cloud Shell's token endpoint (also what Azure CLI uses for MSI_ENDPOINT logins): POST with a
// form body, nested error objects.
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

constexpr auto kLifetime = std::chrono::seconds(3599);

HttpResponse CloudShellError(int status, std::string code, std::string message) {
  return HttpResponse::Json(
      status, {{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}});
}

HttpResponse Token(const SimContext& context, const HttpRequest& request) {
  if (request.Header("Metadata") != std::optional<std::string>("true")) {
    return CloudShellError(400, "BadRequest", "Required metadata header not specified");
  }
  const auto form = request.Form();
  const auto resource_it = form.find("resource");
  if (resource_it == form.end() || resource_it->second.empty()) {
    return CloudShellError(400, "BadRequest", "The 'resource' form field is required");
  }
  // Cloud Shell has no user-assigned identities; the token is for its one identity.
  const auto identity = context.FindManagedIdentity("", "", "");
  if (!identity) return CloudShellError(500, "InternalError", "No identity configured");
  const TimePoint now = context.Now();
  const nlohmann::json body = {
      {"access_token", context.IssueAccessToken(*identity, resource_it->second, kLifetime)},
      {"refresh_token", ""},
      {"expires_in", std::to_string(kLifetime.count())},
      {"expires_on", UnixString(now + kLifetime)},
      {"not_before", UnixString(now)},
      {"resource", resource_it->second},
      {"token_type", "Bearer"},
  };
  return HttpResponse::Json(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

}  // namespace

void RegisterCloudShellRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  router.Add("POST", "/cloudshell/oauth2/token/?",
             [ctx](const HttpRequest& r) { return Token(*ctx, r); });
}

}  // namespace agentboot::sim::detail

// The agents' own OAuth token endpoint (agent-contract §3): client_credentials with a JWT client
// assertion signed by the key registered for the agent. The URL is the authorizationUrl handed
// out at registration, <base>/<organization>/_apis/oauth2/token.
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

constexpr std::chrono::seconds kAgentTokenLifetime{3600};
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

HttpResponse OAuthError(const std::string& error, const std::string& description) {
  return HttpResponse::Json(400, {{"error", error}, {"error_description", description}});
}

HttpResponse IssueToken(const DevOpsService& service, const HttpRequest& request) {
  std::map<std::string, std::string> form = request.Form();
  if (form["grant_type"] != "client_credentials") {
    return OAuthError("unsupported_grant_type", "The grant type must be client_credentials.");
  }
  if (form["client_assertion_type"] != kJwtBearer || form["client_assertion"].empty()) {
    return OAuthError("invalid_client", "A JWT bearer client assertion is required.");
  }
  const std::string& assertion = form["client_assertion"];
  Result<std::string> client_id = AssertionClientId(assertion);
  if (!client_id) return OAuthError("invalid_client", "The client assertion is malformed.");
  std::optional<AgentRecord> agent = service.org().FindAgentByClientId(*client_id);
  if (!agent) agent = service.runtime().FindDeleted(*client_id);
  if (!agent && service.runtime().WasDeleted(*client_id)) {
    // What the distributedtask token service answers for a deleted registration
    // (agent-audit D3: "Registration <guid> was not found." in actions/actions-runner-controller
    // issues #3420 and #4199; the listener wraps it in VssOAuthTokenRequestException).
    return OAuthError("invalid_client", "Registration " + *client_id + " was not found.");
  }
  if (!agent) return OAuthError("invalid_client", "The client is not valid.");
  Result<jose::RsaKey> key =
      PublicKeyFromBase64(agent->public_key_exponent, agent->public_key_modulus);
  if (!key) return OAuthError("invalid_client", "No public key is registered for the client.");
  Status verified =
      VerifyClientAssertion(assertion, *key, agent->client_id, agent->authorization_url,
                            service.context().Now(), service.jtis());
  if (!verified) return OAuthError("invalid_client", verified.error().detail);
  HttpResponse response = HttpResponse::Json(
      200, {{"access_token", service.IssueAgentToken(*agent, kAgentTokenLifetime)},
            {"token_type", "Bearer"},
            {"expires_in", kAgentTokenLifetime.count()},
            {"scope", "/"}});
  response.With(std::string(kIdentityLogHeader), agent->client_id);
  return response;
}

}  // namespace

void RegisterDevOpsOAuthRoutes(Router& router, const ServicePtr& service) {
  router.Add("POST", OrgPathPrefix(service->context()) + "/_apis/oauth2/token/?",
             Unguarded([service](const HttpRequest& r) { return IssueToken(*service, r); }));
}

}  // namespace agentboot::sim::detail

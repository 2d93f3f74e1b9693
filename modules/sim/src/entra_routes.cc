// Entra (login.microsoftonline.com) for workload identity federation: v2.0 discovery, JWKS and
// the client-credentials token endpoint with federated client assertions.
#include "https_fetch.h"
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

constexpr auto kLifetime = std::chrono::seconds(3599);
constexpr char kJwtBearer[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// Entra's error body: the description ends with trace/correlation ids and a timestamp.
HttpResponse EntraError(const SimContext& context, int status, const std::string& error, int code,
                        const std::string& message) {
  const std::string trace_id = RandomGuid();
  const std::string correlation_id = RandomGuid();
  std::string timestamp = FormatUtc(context.Now());  // "2026-11-29T12:00:00Z"
  timestamp[10] = ' ';
  const nlohmann::json body = {
      {"error", error},
      {"error_description",
       "AADSTS" + std::to_string(code) + ": " + message + "\r\nTrace ID: " + trace_id +
           "\r\nCorrelation ID: " + correlation_id + "\r\nTimestamp: " + timestamp},
      {"error_codes", {code}},
      {"timestamp", timestamp},
      {"trace_id", trace_id},
      {"correlation_id", correlation_id},
      {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code)},
  };
  return HttpResponse::Json(status, body);
}

HttpResponse EntraError(const SimContext& context, const AssertionFailure& failure) {
  return EntraError(context, failure.error == "invalid_client" ? 401 : 400, failure.error,
                    failure.code, failure.message);
}

// Clients may reach the sim as localhost or 127.0.0.1: answer with URLs on the host they used.
std::string RequestBase(const SimContext& context, const HttpRequest& request) {
  const auto host = request.Header("Host");
  if (host && !host->empty()) return (request.tls ? "https://" : "http://") + *host;
  return request.tls ? context.https_base() : context.http_base();
}

bool KnownTenant(const SimContext& context, const std::string& tenant) {
  return tenant == context.config().tenant_id || tenant == "organizations" || tenant == "common";
}

HttpResponse OpenIdConfiguration(const SimContext& context, const HttpRequest& request) {
  const std::string& tenant = request.params[0];
  if (!KnownTenant(context, tenant)) {
    return EntraError(context, 400, "invalid_tenant", 90002, "Tenant '" + tenant + "' not found.");
  }
  const std::string base = RequestBase(context, request) + "/" + context.config().tenant_id;
  return HttpResponse::Json(
      200, {{"token_endpoint", base + "/oauth2/v2.0/token"},
            {"token_endpoint_auth_methods_supported",
             {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
            {"jwks_uri", base + "/discovery/v2.0/keys"},
            {"response_modes_supported", {"query", "fragment", "form_post"}},
            {"subject_types_supported", {"pairwise"}},
            {"id_token_signing_alg_values_supported", {"RS256"}},
            {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
            {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
            {"issuer", base + "/v2.0"},
            {"request_uri_parameter_supported", false},
            {"userinfo_endpoint", base + "/openid/userinfo"},
            {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
            {"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
            {"http_logout_supported", true},
            {"frontchannel_logout_supported", true},
            {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
            {"claims_supported", {"sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid"}},
            {"tenant_region_scope", "EU"},
            {"cloud_instance_name", "microsoftonline.com"}});
}

// Verifies the assertion's signature with the key its issuer publishes, fetched over HTTPS like
// Entra does (discovery document, then jwks_uri).
std::optional<AssertionFailure> VerifyAssertionSignature(const SimContext& context,
                                                         const std::string& assertion,
                                                         const jose::Jwt& jwt) {
  const AssertionFailure unreachable{90061, "invalid_request",
                                     "Request to External OIDC endpoint failed."};
  std::string issuer = jwt.claims.value("iss", "");
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  const std::string& extra_ca = context.config().issuer_ca_file;
  auto discovery =
      FetchJson(issuer + "/.well-known/openid-configuration", context.ca_file(), extra_ca);
  if (!discovery || !(*discovery)["jwks_uri"].is_string()) return unreachable;
  auto jwks = FetchJson((*discovery)["jwks_uri"].get<std::string>(), context.ca_file(), extra_ca);
  if (!jwks || !(*jwks)["keys"].is_array()) return unreachable;
  const std::string kid = jwt.header.value("kid", "");
  const AssertionFailure bad_signature{700027, "invalid_client",
                                       "Client assertion failed signature validation."};
  for (const auto& jwk : (*jwks)["keys"]) {
    if (!jwk.is_object() || jwk.value("kid", "") != kid) continue;
    auto key = jose::KeyFromJwk(jwk);
    if (!key) return bad_signature;
    jose::VerifyOptions options;
    options.now = ToUnixSeconds(context.Now());
    options.leeway_seconds = 300;
    if (!jose::VerifyJwt(assertion, *key, options)) return bad_signature;
    return std::nullopt;
  }
  return bad_signature;
}

HttpResponse Token(const SimContext& context, const HttpRequest& request) {
  const std::string& tenant = request.params[0];
  if (!KnownTenant(context, tenant)) {
    return EntraError(context, 400, "invalid_request", 90002,
                      "Tenant '" + tenant +
                          "' not found. Check to make sure you have the correct "
                          "tenant ID and are signing into the correct cloud.");
  }
  // Extra telemetry fields (x-client-SKU, …) and query parameters are ignored, as Entra does.
  const auto form = request.Form();
  const auto field = [&form](const char* name) {
    const auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  for (const char* required : {"grant_type", "client_id", "scope"}) {
    if (field(required).empty()) {
      return EntraError(context, 400, "invalid_request", 900144,
                        std::string("The request body must contain the following parameter: '") +
                            required + "'.");
    }
  }
  if (field("grant_type") != "client_credentials") {
    return EntraError(context, 400, "unsupported_grant_type", 70003,
                      "The app requested an unsupported grant type '" + field("grant_type") + "'.");
  }
  if (field("client_assertion_type") != kJwtBearer || field("client_assertion").empty()) {
    return EntraError(context, 401, "invalid_client", 7000218,
                      "The request body must contain the following parameter: "
                      "'client_assertion' or 'client_secret'.");
  }
  const std::string client_id = field("client_id");
  const auto identity = context.FindIdentity(client_id, "", "");
  if (!identity) {
    return EntraError(context, 400, "unauthorized_client", 700016,
                      "Application with identifier '" + client_id +
                          "' was not found in the directory '" + context.config().tenant_id + "'.");
  }
  const std::string assertion = field("client_assertion");
  auto jwt = jose::DecodeJwt(assertion);
  if (!jwt) {
    return EntraError(context, 400, "invalid_request", 50027, "JWT token is invalid or malformed.");
  }
  if (auto failure = MatchAssertion(jwt->claims, context.FederatedCredentials(client_id),
                                    ToUnixSeconds(context.Now()))) {
    return EntraError(context, *failure);
  }
  if (auto failure = VerifyAssertionSignature(context, assertion, *jwt)) {
    return EntraError(context, *failure);
  }
  // The first scope names the resource; OIDC scopes MSAL may add are not resources.
  std::string resource;
  for (const std::string& scope : Split(field("scope"), ' ')) {
    if (scope.empty() || scope == "openid" || scope == "profile" || scope == "offline_access") {
      continue;
    }
    resource = scope;
    break;
  }
  if (!EndsWith(resource, "/.default")) {
    return EntraError(context, 400, "invalid_scope", 1002012,
                      "The provided value for scope " + resource +
                          " is not valid. Client credential flows must have a scope value with "
                          "/.default suffixed to the resource identifier (application ID URI).");
  }
  const nlohmann::json body = {
      {"token_type", "Bearer"},
      {"expires_in", kLifetime.count()},
      {"ext_expires_in", kLifetime.count()},
      {"access_token", context.IssueAccessToken(*identity, resource, kLifetime)},
  };
  return HttpResponse::Json(200, body).With(std::string(kIdentityLogHeader), identity->object_id);
}

}  // namespace

void RegisterEntraRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  RegisterOidcIssuerRoutes(router, context);
  router.Add("GET", "/([A-Za-z0-9.-]+)/v2\\.0/\\.well-known/openid-configuration",
             [ctx](const HttpRequest& r) { return OpenIdConfiguration(*ctx, r); });
  router.Add("GET", "/([A-Za-z0-9.-]+)/discovery/v2\\.0/keys", [ctx](const HttpRequest&) {
    const jose::RsaKey& key = ctx->entra_key();
    return HttpResponse::Json(200, {{"keys", {jose::PublicJwk(key, jose::KeyId(key))}}});
  });
  router.Add("POST", "/([A-Za-z0-9.-]+)/oauth2/v2\\.0/token",
             [ctx](const HttpRequest& r) { return Token(*ctx, r); });
}

}  // namespace agentboot::sim::detail

// What Entra does with an assertion it has matched to a federated credential: fetch the issuer's
// OpenID discovery document (OpenID Connect Discovery 1.0 §4: <issuer>/.well-known/
// openid-configuration, issuer without its trailing '/'), then its jwks_uri, pick the key by the
// token's kid and verify the RS256 signature. Failures map to AADSTS90061 (documents
// unreachable) and AADSTS700027 (signature) as in the identity contract §4.4.
#include "agentboot/oidc.h"

#include "check_internal.h"

namespace agentboot::oidc {
namespace {

using detail::ErrorFinding;
using detail::Quoted;

constexpr const char* kField = "issuer documents";

Result<nlohmann::json> GetJson(http::Transport& transport, const std::string& url) {
  http::Request request;
  request.url = url;
  request.headers = {{"Accept", "application/json"}};
  auto response = transport.Send(request);
  if (!response) return Fail(response.error());
  if (response->status != 200) {
    return Fail(ErrorCode::kUnavailable, "GET " + url,
                "status " + std::to_string(response->status));
  }
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "GET " + url, "the body is not a JSON object");
  }
  return json;
}

Finding Unreachable(const Error& error) {
  return detail::ErrorFinding(kField,
                              error.context + ": " + error.detail +
                                  " (Entra: AADSTS90061). Entra must reach it anonymously "
                                  "over HTTPS: check the URL, public access and the certificate.");
}

std::optional<Finding> CheckDiscovery(const nlohmann::json& discovery, const std::string& iss) {
  const auto issuer = discovery.find("issuer");
  if (issuer == discovery.end() || !issuer->is_string() || issuer->get<std::string>() != iss) {
    return detail::ErrorFinding(kField, "the discovery document's issuer " +
                                            Quoted(issuer != discovery.end() && issuer->is_string()
                                                       ? issuer->get<std::string>()
                                                       : std::string()) +
                                            " is not the token's iss " + Quoted(iss) +
                                            ": regenerate it with `agentboot oidc discovery`.");
  }
  const auto jwks_uri = discovery.find("jwks_uri");
  if (jwks_uri == discovery.end() || !jwks_uri->is_string() ||
      !StartsWith(jwks_uri->get<std::string>(), "https://")) {
    return detail::ErrorFinding(kField,
                                "the discovery document has no https jwks_uri: regenerate it "
                                "with `agentboot oidc discovery`.");
  }
  return std::nullopt;
}

std::optional<Finding> VerifySignature(const nlohmann::json& jwks, std::string_view token,
                                       const std::string& kid, int64_t now) {
  const auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) {
    return detail::ErrorFinding(kField,
                                "the JWKS has no keys array: regenerate it with "
                                "`agentboot oidc jwks`.");
  }
  for (const auto& jwk : *keys) {
    if (!jwk.is_object() || jwk.value("kid", "") != kid) continue;
    auto key = jose::KeyFromJwk(jwk);
    if (!key)
      return detail::ErrorFinding(kField, "the JWKS key " + Quoted(kid) + " is not an RSA key.");
    jose::VerifyOptions options;
    options.now = now;
    options.leeway_seconds = 300;
    options.require_exp = false;  // CompareClaims reports exp
    auto verified = jose::VerifyJwt(token, *key, options);
    if (verified || verified.error().detail != "signature") return std::nullopt;
    return detail::ErrorFinding(
        kField, "the token's signature does not verify with JWKS key " + Quoted(kid) +
                    " (Entra: AADSTS700027): the API server signs with another "
                    "key than the one published.");
  }
  return detail::ErrorFinding(kField, "the JWKS has no key with the token's kid " + Quoted(kid) +
                                          " (Entra: AADSTS700027): publish the JWKS of the API "
                                          "server's --service-account-key-file keys.");
}

}  // namespace

std::vector<Finding> VerifyWithIssuer(http::Transport& transport, std::string_view token,
                                      const jose::Jwt& decoded, int64_t now) {
  std::vector<Finding> findings;
  const std::string iss = decoded.claims.value("iss", "");
  std::string base = iss;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!StartsWith(base, "https://")) {
    findings.push_back(ErrorFinding(kField,
                                    "the token's iss is not an https URL: Entra cannot fetch "
                                    "its discovery document."));
    return findings;
  }
  auto discovery = GetJson(transport, base + "/" + std::string(kDiscoveryPath));
  if (!discovery) {
    findings.push_back(Unreachable(discovery.error()));
    return findings;
  }
  if (auto problem = CheckDiscovery(*discovery, iss)) {
    findings.push_back(std::move(*problem));
    return findings;
  }
  auto jwks = GetJson(transport, (*discovery)["jwks_uri"].get<std::string>());
  if (!jwks) {
    findings.push_back(Unreachable(jwks.error()));
    return findings;
  }
  if (auto problem = VerifySignature(*jwks, token, decoded.header.value("kid", ""), now)) {
    findings.push_back(std::move(*problem));
  }
  return findings;
}

}  // namespace agentboot::oidc

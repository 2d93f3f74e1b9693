// The simulated Kubernetes API server: its OIDC discovery document, its JWKS, and service-account
// tokens minted into a file the way kubelet projects them.
#include <filesystem>

#include "sim_internal.h"

namespace agentboot::sim::detail {

Result<MintedWorkloadToken> MintWorkloadToken(const SimContext& context,
                                              const WorkloadTokenSpec& spec) {
  const std::string path = spec.path.empty() ? context.workload_token_file() : spec.path;
  const TimePoint now = context.Now();
  const int64_t iat = ToUnixSeconds(now);
  const TimePoint expires_on = now + spec.lifetime;
  const std::vector<std::string> parts = Split(spec.subject, ':');
  const std::string ns = parts.size() == 4 ? parts[2] : "agents";
  const std::string account = parts.size() == 4 ? parts[3] : "agentboot";
  const nlohmann::json claims = {
      {"aud", nlohmann::json::array({spec.audience})},
      {"exp", ToUnixSeconds(expires_on)},
      {"iat", iat},
      {"nbf", iat},
      {"iss", spec.issuer.empty() ? context.oidc_issuer() : spec.issuer},
      {"sub", spec.subject},
      {"kubernetes.io",
       {{"namespace", ns},
        {"pod", {{"name", "agentboot-0"}, {"uid", RandomGuid()}}},
        {"serviceaccount", {{"name", account}, {"uid", RandomGuid()}}}}},
  };
  auto token = jose::SignJwt(claims, context.issuer_key(), jose::KeyId(context.issuer_key()));
  if (!token) return Fail(token.error());
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  // kubelet's projected tokens are world-readable since Kubernetes 1.19.
  if (auto written = PosixFileSystem().WriteFileAtomic(path, *token, 0644); !written) {
    return Fail(written.error());
  }
  return MintedWorkloadToken{path, expires_on};
}

void RegisterOidcIssuerRoutes(Router& router, SimContext& context) {
  const SimContext* ctx = &context;
  router.Add("GET", "/oidc/\\.well-known/openid-configuration", [ctx](const HttpRequest&) {
    const std::string issuer = ctx->oidc_issuer();
    return HttpResponse::Json(200, {{"issuer", issuer},
                                    {"jwks_uri", issuer + "openid/v1/jwks"},
                                    {"response_types_supported", {"id_token"}},
                                    {"subject_types_supported", {"public"}},
                                    {"id_token_signing_alg_values_supported", {"RS256"}}});
  });
  router.Add("GET", "/oidc/openid/v1/jwks", [ctx](const HttpRequest&) {
    const jose::RsaKey& key = ctx->issuer_key();
    return HttpResponse::Json(200, {{"keys", {jose::PublicJwk(key, jose::KeyId(key))}}});
  });
}

}  // namespace agentboot::sim::detail

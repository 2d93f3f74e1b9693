// Tokens shaped like kubelet's projected service-account tokens (kubernetes
// pkg/serviceaccount/claims.go: aud, exp, iat, iss, jti, kubernetes.io, nbf, sub; header alg RS256
// and the kid the JWKS names).
#include "agentboot/oidc.h"

namespace agentboot::oidc {

Result<std::string> MintServiceAccountToken(const jose::RsaKey& key,
                                            const ServiceAccountTokenSpec& spec, int64_t now,
                                            Random& random) {
  constexpr const char* kContext = "service-account token";
  if (!key.has_private()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "the key has no private half",
                "Give the private key file (sa-*.key), not the public one.");
  }
  if (auto valid = ValidateIssuer(spec.issuer); !valid) return Fail(valid.error());
  if (spec.subject.empty() || spec.audience.empty()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "subject and audience must not be empty",
                "Give --subject system:serviceaccount:NS:NAME and --audience.");
  }
  if (spec.lifetime.count() < 600 || spec.lifetime.count() > 86400 * 2) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "lifetime out of range",
                "Kubernetes projects tokens valid from 10 minutes to 48 hours.");
  }
  nlohmann::json claims = {
      {"aud", nlohmann::json::array({spec.audience})},
      {"exp", now + spec.lifetime.count()},
      {"iat", now},
      {"iss", spec.issuer},
      {"jti", NewGuid(random)},
      {"nbf", now},
      {"sub", spec.subject},
  };
  if (auto account = KubernetesServiceAccount(spec.subject)) {
    claims["kubernetes.io"] = {
        {"namespace", account->first},
        {"serviceaccount", {{"name", account->second}, {"uid", NewGuid(random)}}}};
  }
  return jose::SignJwt(claims, key, jose::KeyId(key));
}

}  // namespace agentboot::oidc

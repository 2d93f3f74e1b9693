#include "devops_assertion.h"

namespace agentboot::sim::detail {
namespace {

tl::unexpected<Error> Refuse(std::string detail) {
  return Fail(ErrorCode::kUnauthenticated, "client assertion", std::move(detail));
}

std::optional<std::string> StringClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> IntClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

}  // namespace

Result<std::string> AssertionClientId(std::string_view assertion) {
  Result<jose::Jwt> jwt = jose::DecodeJwt(assertion);
  if (!jwt) return Fail(ErrorCode::kInvalidArgument, "client assertion", "not a JWT");
  std::optional<std::string> iss = StringClaim(jwt->claims, "iss");
  if (!iss || iss->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "client assertion", "no iss claim");
  }
  return *iss;
}

Result<jose::RsaKey> PublicKeyFromBase64(std::string_view exponent, std::string_view modulus) {
  Result<std::string> e = jose::Base64Decode(exponent);
  Result<std::string> n = jose::Base64Decode(modulus);
  if (!e || !n || e->empty() || n->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "agent public key", "exponent/modulus not base64");
  }
  jose::RsaComponents components;
  components.e.assign(e->begin(), e->end());
  components.n.assign(n->begin(), n->end());
  return jose::RsaKey::FromComponents(components);
}

bool JtiCache::Remember(const std::string& jti, int64_t expires, int64_t now) {
  MutexLock lock(mu_);
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = it->second + kAssertionSkewSeconds < now ? seen_.erase(it) : std::next(it);
  }
  return seen_.emplace(jti, expires).second;
}

Status VerifyClientAssertion(std::string_view assertion, const jose::RsaKey& key,
                             std::string_view client_id, std::string_view authorization_url,
                             TimePoint now, JtiCache& jtis) {
  const int64_t now_s = ToUnixSeconds(now);
  jose::VerifyOptions options;
  options.now = now_s;
  options.leeway_seconds = kAssertionSkewSeconds;
  Result<jose::Jwt> jwt = jose::VerifyJwt(assertion, key, options);
  if (!jwt) return Refuse("The client assertion is not valid: " + jwt.error().detail);
  const nlohmann::json& claims = jwt->claims;
  if (StringClaim(claims, "iss") != std::string(client_id) ||
      StringClaim(claims, "sub") != std::string(client_id)) {
    return Refuse("The client assertion issuer and subject must be the client id.");
  }
  if (StringClaim(claims, "aud") != std::string(authorization_url)) {
    return Refuse("The client assertion audience is not the authorization URL.");
  }
  std::optional<int64_t> nbf = IntClaim(claims, "nbf");
  std::optional<int64_t> exp = IntClaim(claims, "exp");
  if (!nbf || !exp) return Refuse("The client assertion must carry nbf and exp.");
  if (*exp - *nbf > kAssertionMaxLifetimeSeconds ||
      *exp - now_s > kAssertionMaxLifetimeSeconds + kAssertionSkewSeconds) {
    return Refuse("The client assertion lifetime exceeds 5 minutes.");
  }
  std::optional<std::string> jti = StringClaim(claims, "jti");
  if (!jti || jti->empty()) return Refuse("The client assertion must carry a jti.");
  if (!jtis.Remember(*jti, *exp, now_s)) {
    return Refuse("The client assertion jti was already used.");
  }
  return {};
}

}  // namespace agentboot::sim::detail

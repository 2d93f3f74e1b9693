// The agent's OAuth client assertion (agent-contract §3, from VssOAuthJwtBearerAssertion and
// JsonWebToken in the open client fork). Byte order of the JSON matters only for fidelity: the
// server verifies the signature over whatever bytes were sent.

#include "agentboot/agent.h"

namespace agentboot::agent {

Result<std::string> BuildJwtAssertion(const CredentialData& credentials, const jose::RsaKey& key,
                                      int64_t now, std::string jti) {
  constexpr const char* kContext = "build client assertion";
  if (credentials.client_id.empty() || credentials.authorization_url.empty()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "clientId and authorizationUrl required");
  }
  if (jti.empty()) return Fail(ErrorCode::kInvalidArgument, kContext, "jti required");
  if (!key.has_private()) return Fail(ErrorCode::kInvalidArgument, kContext, "no private key");

  // JWTHeader sets "typ" in its constructor, then "alg".
  nlohmann::ordered_json header;
  header["typ"] = "JWT";
  header["alg"] = "RS256";
  // The additional claims (sub, jti) come first; Create() then sets iss, aud, nbf, exp. No iat.
  nlohmann::ordered_json claims;
  claims["sub"] = credentials.client_id;
  claims["jti"] = std::move(jti);
  claims["iss"] = credentials.client_id;
  claims["aud"] = credentials.authorization_url;
  claims["nbf"] = now;
  claims["exp"] = now + kAssertionLifetimeSeconds;
  const auto dump = [](const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  return jose::SignCompactJws(dump(header), dump(claims), key);
}

}  // namespace agentboot::agent

// JWK/JWKS and the `kid` that Kubernetes and `azwi jwks` compute (identity-contract §5).

#include "agentboot/jose.h"

namespace agentboot::jose {
namespace {

Result<Bytes> DecodeMember(const nlohmann::json& jwk, const char* name) {
  constexpr const char* kContext = "RSA key from JWK";
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, std::string("missing \"") + name + "\"");
  }
  auto decoded = Base64UrlDecode(it->get<std::string>());
  if (!decoded || decoded->empty()) {
    return Fail(ErrorCode::kInvalidArgument, kContext,
                std::string("\"") + name + "\" is not base64url");
  }
  return Bytes(decoded->begin(), decoded->end());
}

}  // namespace

std::string KeyId(const RsaKey& key) { return Base64UrlEncode(Sha256(key.PublicDer())); }

nlohmann::json PublicJwk(const RsaKey& key, std::string kid) {
  const RsaComponents c = key.Components();
  return {{"use", "sig"},
          {"kty", "RSA"},
          {"kid", kid.empty() ? KeyId(key) : std::move(kid)},
          {"alg", "RS256"},
          {"n", Base64UrlEncode(c.n)},
          {"e", Base64UrlEncode(c.e)}};
}

std::string AzwiJwks(const std::vector<const RsaKey*>& keys) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const RsaKey* key : keys) {
    if (key == nullptr) continue;
    const RsaComponents c = key->Components();
    nlohmann::ordered_json jwk;
    jwk["use"] = "sig";
    jwk["kty"] = "RSA";
    jwk["kid"] = KeyId(*key);
    jwk["alg"] = "RS256";
    jwk["n"] = Base64UrlEncode(c.n);
    jwk["e"] = Base64UrlEncode(c.e);
    list.push_back(std::move(jwk));
  }
  nlohmann::ordered_json set;
  set["keys"] = std::move(list);
  return set.dump(2);
}

Result<RsaKey> KeyFromJwk(const nlohmann::json& jwk) {
  constexpr const char* kContext = "RSA key from JWK";
  if (!jwk.is_object()) return Fail(ErrorCode::kInvalidArgument, kContext, "not a JSON object");
  const auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string() || kty->get<std::string>() != "RSA") {
    return Fail(ErrorCode::kInvalidArgument, kContext, "kty must be RSA");
  }
  auto n = DecodeMember(jwk, "n");
  if (!n) return Fail(n.error());
  auto e = DecodeMember(jwk, "e");
  if (!e) return Fail(e.error());
  RsaComponents components;
  components.n = std::move(*n);
  components.e = std::move(*e);
  return RsaKey::FromComponents(components);
}

}  // namespace agentboot::jose

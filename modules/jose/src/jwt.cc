// Compact JWS/JWT with RS256 (RFC 7515, RFC 7519). Decoding never echoes the token text in errors:
// a token is a credential.

#include <cmath>
#include <limits>

#include "agentboot/jose.h"

namespace agentboot::jose {
namespace {

constexpr const char* kDecodeContext = "decode JWT";
constexpr const char* kVerifyContext = "verify JWT";

Result<nlohmann::json> ParseObject(std::string_view encoded, const char* part) {
  auto decoded = Base64UrlDecode(encoded);
  if (!decoded) {
    return Fail(ErrorCode::kInvalidArgument, kDecodeContext,
                std::string(part) + " is not base64url");
  }
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    value = nlohmann::json::value_t::discarded;
  }
  if (!value.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, kDecodeContext,
                std::string(part) + " is not a JSON object");
  }
  return value;
}

// A NumericDate claim as whole seconds; nullopt when absent. Fractions are truncated toward the
// past so "exp" never extends a token's life.
Result<std::optional<int64_t>> NumericDate(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::optional<int64_t>();
  if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::optional<int64_t>(std::numeric_limits<int64_t>::max());
    }
    return std::optional<int64_t>(static_cast<int64_t>(value));
  }
  if (it->is_number_float()) {
    const double value = std::floor(it->get<double>());
    if (!std::isfinite(value) || std::fabs(value) > 9e18) {
      return Fail(ErrorCode::kInvalidArgument, kVerifyContext,
                  std::string(name) + " is out of range");
    }
    return std::optional<int64_t>(static_cast<int64_t>(value));
  }
  return Fail(ErrorCode::kInvalidArgument, kVerifyContext, std::string(name) + " is not a number");
}

// Saturating a + b, so a hostile exp near INT64_MAX cannot overflow.
int64_t AddSaturating(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  if (b < 0 && a < std::numeric_limits<int64_t>::min() - b) {
    return std::numeric_limits<int64_t>::min();
  }
  return a + b;
}

Status CheckTimes(const nlohmann::json& claims, const VerifyOptions& options) {
  auto exp = NumericDate(claims, "exp");
  if (!exp) return Fail(exp.error());
  auto nbf = NumericDate(claims, "nbf");
  if (!nbf) return Fail(nbf.error());
  if (!exp->has_value() && options.require_exp) {
    return Fail(ErrorCode::kInvalidArgument, kVerifyContext, "missing exp");
  }
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  if (exp->has_value() && options.now >= AddSaturating(**exp, options.leeway_seconds)) {
    return Fail(ErrorCode::kUnauthenticated, kVerifyContext, "expired");
  }
  if (nbf->has_value() && AddSaturating(options.now, options.leeway_seconds) < **nbf) {
    return Fail(ErrorCode::kUnauthenticated, kVerifyContext, "not yet valid");
  }
  return {};
}

Result<std::string> Dump(const nlohmann::json& value, const char* context) {
  try {
    return value.dump();
  } catch (const std::exception&) {
    return Fail(ErrorCode::kInvalidArgument, context, "JSON is not valid UTF-8");
  }
}

}  // namespace

Result<Jwt> DecodeJwt(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, kDecodeContext, "not three dot-separated parts");
  }
  Jwt jwt;
  auto header = ParseObject(token.substr(0, first), "header");
  if (!header) return Fail(header.error());
  auto claims = ParseObject(token.substr(first + 1, second - first - 1), "payload");
  if (!claims) return Fail(claims.error());
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!signature) {
    return Fail(ErrorCode::kInvalidArgument, kDecodeContext, "signature is not base64url");
  }
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

Result<std::string> SignCompactJws(std::string_view header_json, std::string_view payload_json,
                                   const RsaKey& key) {
  std::string token = Base64UrlEncode(header_json) + "." + Base64UrlEncode(payload_json);
  auto signature = key.SignSha256(token);
  if (!signature) return Fail(signature.error());
  token += ".";
  token += Base64UrlEncode(*signature);
  return token;
}

Result<std::string> SignJwt(const nlohmann::json& claims, const RsaKey& key, std::string_view kid) {
  constexpr const char* kContext = "sign JWT";
  if (!claims.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "claims must be a JSON object");
  }
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!kid.empty()) header["kid"] = std::string(kid);
  auto header_json = Dump(header, kContext);
  if (!header_json) return Fail(header_json.error());
  auto claims_json = Dump(claims, kContext);
  if (!claims_json) return Fail(claims_json.error());
  return SignCompactJws(*header_json, *claims_json, key);
}

Result<Jwt> VerifyJwt(std::string_view token, const RsaKey& key, const VerifyOptions& options) {
  auto jwt = DecodeJwt(token);
  if (!jwt) return Fail(jwt.error());
  // Pinning the algorithm defeats "alg":"none" and algorithm-confusion attacks.
  const auto alg = jwt->header.find("alg");
  if (alg == jwt->header.end() || !alg->is_string() || alg->get<std::string>() != "RS256") {
    return Fail(ErrorCode::kInvalidArgument, kVerifyContext, "alg must be RS256");
  }
  if (!key.VerifySha256(jwt->signing_input, jwt->signature)) {
    return Fail(ErrorCode::kUnauthenticated, kVerifyContext, "signature");
  }
  if (auto times = CheckTimes(jwt->claims, options); !times) return Fail(times.error());
  return jwt;
}

}  // namespace agentboot::jose

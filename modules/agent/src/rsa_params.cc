// `.credentials_rsaparams`: RSAParametersSerializable (agent-contract §2). ISerializable names are
// written verbatim (not camelCased) and read case-sensitively. Widths follow .NET's
// ImportParameters checks, which run when the listener loads the key.

#include "agentboot/agent.h"

#include "json_file.h"

namespace agentboot::agent {
namespace {

const std::string kContext = "read .credentials_rsaparams";
constexpr int kMinBits = 2048;  // VssSigningCredentials c_minKeySize

size_t BitLength(const jose::Bytes& value) {
  size_t i = 0;
  while (i < value.size() && value[i] == 0) ++i;
  if (i == value.size()) return 0;
  size_t bits = (value.size() - i) * 8;
  for (uint8_t top = value[i]; (top & 0x80) == 0; top = static_cast<uint8_t>(top << 1)) --bits;
  return bits;
}

Status CheckWidth(const jose::Bytes& value, size_t width, const char* name) {
  if (value.size() == width) return {};
  return Fail(ErrorCode::kInvalidArgument, kContext,
              std::string(name) + " is " + std::to_string(value.size()) + " bytes, expected " +
                  std::to_string(width),
              "The key file is corrupt; remove the agent and register it again.");
}

Status Validate(const RsaParams& params) {
  if (params.exponent.empty() || params.modulus.empty()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, "empty modulus or exponent");
  }
  if (BitLength(params.modulus) < static_cast<size_t>(kMinBits)) {
    return Fail(ErrorCode::kInvalidArgument, kContext,
                "key has " + std::to_string(BitLength(params.modulus)) +
                    " bits; at least 2048 are required");
  }
  const size_t half = (params.modulus.size() + 1) / 2;
  for (const Status& status :
       {CheckWidth(params.d, params.modulus.size(), "d"), CheckWidth(params.p, half, "p"),
        CheckWidth(params.q, half, "q"), CheckWidth(params.dp, half, "dp"),
        CheckWidth(params.dq, half, "dq"), CheckWidth(params.inverse_q, half, "inverseQ")}) {
    if (!status) return status;
  }
  return {};
}

Result<jose::Bytes> ReadBytes(const nlohmann::json& in, const char* name) {
  auto text = detail::GetString(in, name, /*case_sensitive=*/true, kContext);
  if (!text) return Fail(text.error());
  if (!text->has_value()) {
    return Fail(ErrorCode::kInvalidArgument, kContext, std::string("missing \"") + name + "\"");
  }
  auto decoded = jose::Base64Decode(**text);
  if (!decoded) {
    return Fail(ErrorCode::kInvalidArgument, kContext,
                std::string("\"") + name + "\" is not base64");
  }
  return jose::Bytes(decoded->begin(), decoded->end());
}

}  // namespace

Result<jose::Bytes> PadBigEndian(const jose::Bytes& value, size_t width) {
  size_t skip = 0;
  while (skip < value.size() && value.size() - skip > width && value[skip] == 0) ++skip;
  if (value.size() - skip > width) {
    return Fail(
        ErrorCode::kInvalidArgument, "pad RSA parameter",
        std::to_string(value.size() - skip) + " bytes do not fit in " + std::to_string(width));
  }
  jose::Bytes out(width - (value.size() - skip), 0);
  out.insert(out.end(), value.begin() + static_cast<std::ptrdiff_t>(skip), value.end());
  return out;
}

Result<RsaParams> RsaParamsFromKey(const jose::RsaKey& key) {
  constexpr const char* kWriteContext = "write .credentials_rsaparams";
  if (!key.has_private()) {
    return Fail(ErrorCode::kInvalidArgument, kWriteContext, "not a private key");
  }
  if (key.bits() < kMinBits) {
    return Fail(ErrorCode::kInvalidArgument, kWriteContext, "key is smaller than 2048 bits");
  }
  const jose::RsaComponents c = key.Components();
  const size_t half = (c.n.size() + 1) / 2;
  RsaParams params;
  params.exponent = c.e;
  params.modulus = c.n;
  // OpenSSL strips leading zeros; .NET insists on the full widths.
  struct Field {
    jose::Bytes& out;
    const jose::Bytes& in;
    size_t width;
  };
  for (const Field& field : {Field{params.d, c.d, c.n.size()}, Field{params.p, c.p, half},
                             Field{params.q, c.q, half}, Field{params.dp, c.dp, half},
                             Field{params.dq, c.dq, half}, Field{params.inverse_q, c.qi, half}}) {
    auto padded = PadBigEndian(field.in, field.width);
    if (!padded) return Fail(ErrorCode::kInvalidArgument, kWriteContext, padded.error().detail);
    field.out = std::move(*padded);
  }
  return params;
}

Result<jose::RsaKey> KeyFromRsaParams(const RsaParams& params) {
  if (auto valid = Validate(params); !valid) return Fail(valid.error());
  jose::RsaComponents c;
  c.n = params.modulus;
  c.e = params.exponent;
  c.d = params.d;
  c.p = params.p;
  c.q = params.q;
  c.dp = params.dp;
  c.dq = params.dq;
  c.qi = params.inverse_q;
  auto key = jose::RsaKey::FromComponents(c);
  if (!key) return Fail(ErrorCode::kInvalidArgument, kContext, key.error().detail);
  return key;
}

Secret SerializeRsaParams(const RsaParams& params) {
  nlohmann::ordered_json out;
  out["ContainerName"] = params.container_name;
  out["UseCng"] = params.use_cng;
  out["d"] = jose::Base64Encode(params.d);
  out["dp"] = jose::Base64Encode(params.dp);
  out["dq"] = jose::Base64Encode(params.dq);
  out["exponent"] = jose::Base64Encode(params.exponent);
  out["inverseQ"] = jose::Base64Encode(params.inverse_q);
  out["modulus"] = jose::Base64Encode(params.modulus);
  out["p"] = jose::Base64Encode(params.p);
  out["q"] = jose::Base64Encode(params.q);
  return Secret(detail::WriteIndented(out));
}

Result<RsaParams> ParseRsaParams(std::string_view text) {
  auto in = detail::ParseObject(text, kContext);
  if (!in) return Fail(in.error());
  RsaParams params;
  auto container = detail::GetString(*in, "ContainerName", /*case_sensitive=*/true, kContext);
  if (!container) return Fail(container.error());
  params.container_name = container->value_or("");
  auto use_cng = detail::GetBool(*in, "UseCng", /*case_sensitive=*/true, kContext);
  if (!use_cng) return Fail(use_cng.error());
  params.use_cng = use_cng->value_or(false);
  struct Field {
    const char* name;
    jose::Bytes& out;
  };
  for (const Field& field :
       {Field{"d", params.d}, Field{"dp", params.dp}, Field{"dq", params.dq},
        Field{"exponent", params.exponent}, Field{"inverseQ", params.inverse_q},
        Field{"modulus", params.modulus}, Field{"p", params.p}, Field{"q", params.q}}) {
    auto bytes = ReadBytes(*in, field.name);
    if (!bytes) return Fail(bytes.error());
    field.out = std::move(*bytes);
  }
  if (auto valid = Validate(params); !valid) return Fail(valid.error());
  return params;
}

nlohmann::json PublicKeyJson(const jose::RsaKey& key) {
  const jose::RsaComponents c = key.Components();
  return {{"exponent", jose::Base64Encode(c.e)}, {"modulus", jose::Base64Encode(c.n)}};
}

}  // namespace agentboot::agent

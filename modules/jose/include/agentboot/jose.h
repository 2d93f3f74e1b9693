// agentboot::jose — base64/base64url, RSA keys, JWT (RS256) sign/verify/decode, JWK/JWKS and the
// Kubernetes/azwi `kid`. Pure functions over OpenSSL and nlohmann/json: no I/O, no clock (callers
// pass `now`). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::jose {

using Bytes = std::vector<uint8_t>;

std::string Base64Encode(std::string_view data);  // standard alphabet, with padding
std::string Base64Encode(const Bytes& data);
std::string Base64UrlEncode(std::string_view data);  // URL-safe alphabet, no padding
std::string Base64UrlEncode(const Bytes& data);
// Both accept input with or without padding; kInvalidArgument on a character outside the alphabet.
[[nodiscard]] Result<std::string> Base64Decode(std::string_view text);
[[nodiscard]] Result<std::string> Base64UrlDecode(std::string_view text);

Bytes Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);  // lower-case hex

// The components of an RSA key as big-endian unsigned bytes, exactly as OpenSSL exports them (no
// padding; callers that need .NET's fixed widths pad themselves). Private fields are empty for a
// public key.
struct RsaComponents {
  Bytes n, e, d, p, q, dp, dq, qi;
};

// An RSA key pair or public key. Move-only; owns its OpenSSL handle.
class RsaKey {
 public:
  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;
  RsaKey(const RsaKey&) = delete;
  RsaKey& operator=(const RsaKey&) = delete;
  ~RsaKey();

  // kInvalidArgument for bits < 2048; kInternal when OpenSSL fails.
  [[nodiscard]] static Result<RsaKey> Generate(int bits = 2048);
  // From components (public when d is empty). Validates the key.
  [[nodiscard]] static Result<RsaKey> FromComponents(const RsaComponents& components);
  // PEM: "PRIVATE KEY" (PKCS#8), "RSA PRIVATE KEY" (PKCS#1), "PUBLIC KEY" (SPKI), or a certificate.
  [[nodiscard]] static Result<RsaKey> FromPem(std::string_view pem);

  bool has_private() const noexcept;
  int bits() const noexcept;
  RsaComponents Components() const;
  Secret PrivatePem() const;      // PKCS#8 PEM; empty Secret for a public key
  std::string PublicPem() const;  // SPKI PEM
  std::string PublicDer() const;  // DER SubjectPublicKeyInfo

  // RSASSA-PKCS1-v1_5 with SHA-256.
  [[nodiscard]] Result<std::string> SignSha256(std::string_view data) const;
  bool VerifySha256(std::string_view data, std::string_view signature) const;

  struct Impl;                                         // public for the implementation files only
  static RsaKey FromImpl(std::unique_ptr<Impl> impl);  // implementation files only
 private:
  explicit RsaKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// kid as the Kubernetes API server and `azwi jwks` compute it:
// base64url(SHA-256(DER SubjectPublicKeyInfo)), no padding (43 characters).
std::string KeyId(const RsaKey& key);

// JWK of the public half: {"use":"sig","kty":"RSA","kid":…,"alg":"RS256","n":…,"e":…}.
// An empty `kid` means KeyId(key).
nlohmann::json PublicJwk(const RsaKey& key, std::string kid = {});
// The JWKS document exactly as `azwi jwks` prints it (identity-contract §5.1): members in the order
// use, kty, kid, alg, n, e; 2-space indent; no trailing newline. Null entries are skipped.
std::string AzwiJwks(const std::vector<const RsaKey*>& keys);
// Public key from a JWK object (kty RSA, n, e). kInvalidArgument otherwise.
[[nodiscard]] Result<RsaKey> KeyFromJwk(const nlohmann::json& jwk);

// A decoded (not verified) JWT.
struct Jwt {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;  // "base64url(header).base64url(payload)"
  std::string signature;      // raw bytes
};

// Splits and decodes a compact JWT. kInvalidArgument when it is not three base64url parts of
// JSON objects. Never logs or returns the token text in errors.
[[nodiscard]] Result<Jwt> DecodeJwt(std::string_view token);

// Signs claims with RS256; header {"alg":"RS256","typ":"JWT"} plus "kid" when given.
[[nodiscard]] Result<std::string> SignJwt(const nlohmann::json& claims, const RsaKey& key,
                                          std::string_view kid = {});

// Signs pre-serialised JSON with RS256: base64url(header).base64url(payload).base64url(sig). For
// callers that must control the exact header bytes (the agent's {"typ":"JWT","alg":"RS256"}).
[[nodiscard]] Result<std::string> SignCompactJws(std::string_view header_json,
                                                 std::string_view payload_json, const RsaKey& key);

struct VerifyOptions {
  int64_t now = 0;             // Unix seconds
  int64_t leeway_seconds = 0;  // applied to exp and nbf
  bool require_exp = true;
};

// Verifies alg RS256, the signature with `key`, and exp/nbf against options.now. Errors:
// kUnauthenticated with detail "signature", "expired" or "not yet valid"; kInvalidArgument for a
// malformed token, another alg, a non-numeric exp/nbf, or a missing exp when require_exp.
[[nodiscard]] Result<Jwt> VerifyJwt(std::string_view token, const RsaKey& key,
                                    const VerifyOptions& options);

}  // namespace agentboot::jose

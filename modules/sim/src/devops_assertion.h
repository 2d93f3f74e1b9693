// Verification of the JWT client assertion an agent sends to its OAuth token endpoint
// (agent-contract §3): RS256 over the public key registered for the agent, iss == sub ==
// clientId, aud == the agent's authorizationUrl byte for byte, a nbf/exp window of at most five
// minutes, and a jti never seen before. Pure apart from the jti memory. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "agentboot/base.h"
#include "agentboot/jose.h"

namespace agentboot::sim::detail {

inline constexpr int64_t kAssertionMaxLifetimeSeconds = 300;
inline constexpr int64_t kAssertionSkewSeconds = 60;

// The unverified `iss` of an assertion, used to find the agent (and so the key) to verify with.
// kInvalidArgument when the text is not a JWT or has no string iss.
[[nodiscard]] Result<std::string> AssertionClientId(std::string_view assertion);

// A public key from TaskAgentPublicKey's standard-base64 exponent and modulus.
[[nodiscard]] Result<jose::RsaKey> PublicKeyFromBase64(std::string_view exponent,
                                                       std::string_view modulus);

// Remembers used jti values until their assertion would have expired anyway.
class JtiCache {
 public:
  // False when `jti` was already used. Forgets entries that expired before `now`.
  bool Remember(const std::string& jti, int64_t expires, int64_t now);

 private:
  Mutex mu_;
  std::map<std::string, int64_t> seen_ GUARDED_BY(mu_);  // jti → exp
};

// OK when the assertion is acceptable; kUnauthenticated with a description for the
// invalid_client answer otherwise. The jti is consumed only when every other check passed.
[[nodiscard]] Status VerifyClientAssertion(std::string_view assertion, const jose::RsaKey& key,
                                           std::string_view client_id,
                                           std::string_view authorization_url, TimePoint now,
                                           JtiCache& jtis);

}  // namespace agentboot::sim::detail

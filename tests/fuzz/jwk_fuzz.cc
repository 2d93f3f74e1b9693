// libFuzzer target for JWK/JWKS documents (the OIDC issuer's keys, Entra's) and PEM key files:
// arbitrary bytes must never crash, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/jose.h"
#include "agentboot/oidc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto json = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    (void)agentboot::jose::KeyFromJwk(json);
    const auto keys = json.find("keys");  // a JWKS
    if (keys != json.end() && keys->is_array()) {
      for (const auto& jwk : *keys) (void)agentboot::jose::KeyFromJwk(jwk);
    }
  }
  (void)agentboot::oidc::ParseKeys(input, "fuzz");
  return 0;
}

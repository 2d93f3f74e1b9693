// libFuzzer target for the token-response parser (IMDS, App Service, Entra, Azure CLI shapes):
// arbitrary bytes must never crash, hang or trip a sanitizer, and a parsed token is never empty.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agentboot/identity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto token = agentboot::identity::ParseTokenResponse(
      input, agentboot::FromUnixSeconds(1800000000), "fuzz");
  if (token && token->token.empty()) __builtin_trap();
  (void)agentboot::http::ParseRetryAfter(input, agentboot::FromUnixSeconds(1800000000));
  return 0;
}

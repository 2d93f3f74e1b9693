// libFuzzer target for the JWT and base64url decoders: arbitrary bytes must never crash, hang or
// trip a sanitizer. Build with clang -fsanitize=fuzzer,address.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agentboot/jose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto jwt = agentboot::jose::DecodeJwt(input);
  if (jwt) {
    // A decoded token must re-split consistently.
    if (jwt->signing_input.size() > input.size()) __builtin_trap();
  }
  auto decoded = agentboot::jose::Base64UrlDecode(input);
  if (decoded) {
    // Whatever decodes must survive an encode/decode round trip unchanged.
    auto again = agentboot::jose::Base64UrlDecode(agentboot::jose::Base64UrlEncode(*decoded));
    if (!again || *again != *decoded) __builtin_trap();
  }
  (void)agentboot::jose::Base64Decode(input);
  return 0;
}

// libFuzzer target for the agent's files as agentboot reads them back (.agent, .credentials,
// .credentials_rsaparams): a damaged or hostile file must never crash, hang or trip a sanitizer,
// and what parses serializes and parses again to the same values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agentboot/agent.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace agent = agentboot::agent;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto settings = agent::ParseSettings(input)) {
    auto again = agent::ParseSettings(agent::SerializeSettings(*settings));
    if (!again || again->agent_id != settings->agent_id) __builtin_trap();
  }
  if (auto credentials = agent::ParseCredentials(input)) {
    auto again = agent::ParseCredentials(agent::SerializeCredentials(*credentials));
    if (!again || again->client_id != credentials->client_id) __builtin_trap();
  }
  if (auto params = agent::ParseRsaParams(input)) {
    (void)agent::KeyFromRsaParams(*params);  // the widths are checked: only a real key gets here
  }
  return 0;
}

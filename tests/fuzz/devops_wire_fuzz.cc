// libFuzzer target for every Azure DevOps answer agentboot parses (connection data, pools,
// agents, packages, job requests, wrapped exceptions). Arbitrary bytes must never crash, hang or
// trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire.h"  // modules/devops/src (the fuzz target reaches the module's private parsers)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace devops = agentboot::devops::detail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string context = "fuzz";
  (void)devops::ParseConnectionData(input, context);
  (void)devops::ParsePools(input, context);
  if (auto agents = devops::ParseAgents(input, context)) {
    // What was parsed serializes again.
    for (const auto& agent : *agents) (void)devops::AgentToJson(agent, true);
  }
  (void)devops::ParseAgent(input, context);
  (void)devops::ParsePackages(input, context);
  (void)devops::ParseJobRequests(input, context);
  (void)devops::ParseWrappedException(input);
  return 0;
}

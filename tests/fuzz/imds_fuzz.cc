// libFuzzer target for IMDS answers (identity-contract §7): the Scheduled Events document (parser,
// tracker and the poller's rules) and the compute metadata the VM's name comes from. Arbitrary
// bytes must never crash, hang or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agentboot/http_testing.h"
#include "agentboot/imds.h"

namespace {

using agentboot::imds::ScheduledEventTracker;

void CheckEvents(std::string_view input) {
  auto document = agentboot::imds::ParseScheduledEvents(input);
  if (!document) return;
  ScheduledEventTracker tracker;
  const auto first = tracker.Observe(*document, "vm-1");
  for (const auto& event : first.drain) {
    // Drained events apply to this VM and require a drain.
    if (!agentboot::imds::AppliesTo(event, "vm-1") || !agentboot::imds::RequiresDrain(event)) {
      __builtin_trap();
    }
  }
  // The same document again: nothing is new.
  const auto second = tracker.Observe(*document, "vm-1");
  if (!second.drain.empty() || !second.notices.empty()) __builtin_trap();
}

void CheckCompute(std::string_view input) {
  agentboot::http::testing::ScriptedTransport transport;
  transport.Json(200, std::string(input)).Json(200, std::string(input));
  agentboot::imds::ImdsClient client(transport, "http://169.254.169.254");
  auto name = client.VmName();
  if (name && name->empty()) __builtin_trap();
  (void)client.GetScheduledEvents();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckEvents(input);
  CheckCompute(input);
  return 0;
}

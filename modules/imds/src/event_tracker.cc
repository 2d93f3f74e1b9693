// ScheduledEventTracker: report each scheduled event once (identity-contract §7.2: events stay in
// the document, with a changing status, until they finish and disappear).
#include <utility>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

bool IsActive(const ScheduledEvent& event) {
  return EqualsIgnoreCase(event.status, "Scheduled") || EqualsIgnoreCase(event.status, "Started");
}

}  // namespace

ScheduledEventTracker::Observation ScheduledEventTracker::Observe(
    const ScheduledEventsDocument& document, std::string_view vm_name) {
  Observation observation;
  std::set<std::string> current;
  for (const ScheduledEvent& event : document.events) {
    const std::string key = ToLower(event.id);
    const bool first_in_document = current.insert(key).second;
    if (!first_in_document || seen_.count(key) != 0 || !AppliesTo(event, vm_name)) continue;
    if (RequiresDrain(event) && IsActive(event)) {
      observation.drain.push_back(event);
    } else {
      observation.notices.push_back(event);
    }
  }
  // Only ids still present are remembered, so the set stays as small as the document.
  seen_ = std::move(current);
  return observation;
}

}  // namespace agentboot::imds

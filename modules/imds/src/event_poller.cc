// ScheduledEventsPoller: the poll loop of `run`'s Scheduled Events watch, on the Clock seam.
#include <algorithm>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

constexpr std::string_view kSource = "scheduled-events";

std::string NotBeforeText(const ScheduledEvent& event) {
  return event.not_before ? FormatUtc(*event.not_before) : "now";
}

}  // namespace

ScheduledEventsPoller::ScheduledEventsPoller(Env& env, ImdsClient& client, OnDrain on_drain)
    : env_(env), client_(client), on_drain_(std::move(on_drain)) {}

void ScheduledEventsPoller::PollOnce() {
  Logger& log = env_.log;
  // IMDS hiccups are common and the next poll is seconds away: say it once per outage.
  auto failed = [&](std::string_view what, const Error& error) {
    if (reported_failure_) return;
    reported_failure_ = true;
    log.Log(LogLevel::kWarning, kSource, std::string(what) + "; retrying",
            {{"error", error.ToString()}});
  };
  if (vm_name_.empty()) {
    auto name = client_.VmName();
    if (!name) return failed("cannot read this VM's name", name.error());
    vm_name_ = *name;
    log.Log(LogLevel::kInfo, kSource, "watching Azure Scheduled Events", {{"vm", vm_name_}});
  }
  auto document = client_.GetScheduledEvents();
  if (!document) return failed("cannot read scheduled events", document.error());
  reported_failure_ = false;
  const auto seen = tracker_.Observe(*document, vm_name_);
  for (const auto& event : seen.notices) {
    log.Log(LogLevel::kInfo, kSource, "scheduled event (no drain needed)",
            {{"type", event.type},
             {"id", event.id},
             {"status", event.status},
             {"not_before", NotBeforeText(event)},
             {"description", event.description}});
  }
  for (const auto& event : seen.drain) {
    log.Log(LogLevel::kWarning, kSource, "this VM is going away: draining the agent",
            {{"type", event.type},
             {"id", event.id},
             {"status", event.status},
             {"not_before", NotBeforeText(event)}});
    on_drain_(event);
  }
}

void ScheduledEventsPoller::Run(Duration interval, const std::function<bool(Duration)>& wait) {
  TimePoint due = env_.clock.Now();
  while (true) {
    PollOnce();
    const TimePoint now = env_.clock.Now();
    due = std::max(due + interval, now);
    if (!wait(std::chrono::duration_cast<Duration>(due - now))) return;
  }
}

}  // namespace agentboot::imds

#include "scheduled_events_watch.h"

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "scheduled-events";

}  // namespace

ScheduledEventsWatch::ScheduledEventsWatch(App& app, imds::ImdsClient& client, Duration interval,
                                           std::function<void(lifecycle::DrainRequest)> drain)
    : app_(app), client_(client), interval_(interval), drain_(std::move(drain)) {}

ScheduledEventsWatch::~ScheduledEventsWatch() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScheduledEventsWatch::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void ScheduledEventsWatch::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    PollOnce();
    lock.lock();
    wake_.wait_for(lock, interval_, [&] { return stopping_; });
  }
}

void ScheduledEventsWatch::PollOnce() {
  Logger& log = app_.log();
  // IMDS hiccups are common and the next poll is a second away: say it once per outage.
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
             {"not_before", event.not_before ? FormatUtc(*event.not_before) : "now"},
             {"description", event.description}});
  }
  for (const auto& event : seen.drain) {
    log.Log(LogLevel::kWarning, kSource, "this VM is going away: draining the agent",
            {{"type", event.type},
             {"id", event.id},
             {"status", event.status},
             {"not_before", event.not_before ? FormatUtc(*event.not_before) : "now"}});
    lifecycle::DrainRequest request;
    request.reason = "scheduled event " + event.type;
    // A Started event (NotBefore "") is happening now: no time left for the job.
    request.not_before = event.not_before.value_or(app_.env().clock.Now());
    request.event_ids = {event.id};
    drain_(std::move(request));
  }
}

}  // namespace agentboot::cli

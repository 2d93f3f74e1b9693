#include "scheduled_events_watch.h"

namespace agentboot::cli {

ScheduledEventsWatch::ScheduledEventsWatch(App& app, imds::ImdsClient& client, Duration interval,
                                           std::function<void(lifecycle::DrainRequest)> drain)
    : app_(app),
      interval_(interval),
      drain_(std::move(drain)),
      poller_(app.env(), client, [this](const imds::ScheduledEvent& event) { Drain(event); }) {}

ScheduledEventsWatch::~ScheduledEventsWatch() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void ScheduledEventsWatch::Start() {
  thread_ = std::thread(
      [this] { poller_.Run(interval_, [this](Duration d) { return WaitUnlessStopping(d); }); });
}

bool ScheduledEventsWatch::WaitUnlessStopping(Duration duration) {
  // A condition variable rather than Clock::SleepFor: the destructor must not wait out a poll
  // interval. The schedule itself is kept by the poller on the Clock.
  const auto deadline = std::chrono::steady_clock::now() + duration;
  MutexLock lock(mu_);
  while (!stopping_ && wake_.WaitUntil(mu_, deadline)) {
  }
  return !stopping_;
}

void ScheduledEventsWatch::Drain(const imds::ScheduledEvent& event) {
  lifecycle::DrainRequest request;
  request.reason = "scheduled event " + event.type;
  // A Started event (NotBefore "") is happening now: no time left for the job.
  request.not_before = event.not_before.value_or(app_.env().clock.Now());
  request.event_ids = {event.id};
  drain_(std::move(request));
}

}  // namespace agentboot::cli

// Polls IMDS Scheduled Events in the background (once per interval; Azure recommends once a
// second) and turns a Terminate or Preempt of this VM into a drain request. Reboot, Redeploy and
// Freeze are logged once each, never drained.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "agentboot/imds.h"
#include "agentboot/lifecycle.h"

#include "app.h"

namespace agentboot::cli {

class ScheduledEventsWatch {
 public:
  // `drain` receives each drain request (from the watch's thread).
  ScheduledEventsWatch(App& app, imds::ImdsClient& client, Duration interval,
                       std::function<void(lifecycle::DrainRequest)> drain);
  ScheduledEventsWatch(const ScheduledEventsWatch&) = delete;
  ScheduledEventsWatch& operator=(const ScheduledEventsWatch&) = delete;
  ~ScheduledEventsWatch();  // stops the thread

  void Start();

 private:
  void Loop();
  void PollOnce();

  App& app_;
  imds::ImdsClient& client_;
  Duration interval_;
  std::function<void(lifecycle::DrainRequest)> drain_;
  imds::ScheduledEventTracker tracker_;
  std::string vm_name_;
  bool reported_failure_ = false;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace agentboot::cli

// Runs imds::ScheduledEventsPoller on a background thread (once per interval; see
// imds::kScheduledEventsPollInterval for the choice) and turns a Terminate or Preempt of this VM
// into a drain request. Reboot, Redeploy and Freeze are logged once each, never drained.
#pragma once

#include <functional>
#include <thread>

#include "agentboot/imds.h"
#include "agentboot/lifecycle.h"

#include "app.h"

namespace agentboot::cli {

class ScheduledEventsWatch {
 public:
  // `drain` receives each drain request (from the watch's thread). `client` must outlive the
  // watch; give it a kept-alive transport (App::polling_transport) so polls reuse a connection.
  ScheduledEventsWatch(App& app, imds::ImdsClient& client, Duration interval,
                       std::function<void(lifecycle::DrainRequest)> drain);
  ScheduledEventsWatch(const ScheduledEventsWatch&) = delete;
  ScheduledEventsWatch& operator=(const ScheduledEventsWatch&) = delete;
  ~ScheduledEventsWatch();  // stops the thread (at once, also between polls)

  void Start();

 private:
  void Drain(const imds::ScheduledEvent& event);
  bool WaitUnlessStopping(Duration duration);  // false once stopping

  App& app_;
  Duration interval_;
  std::function<void(lifecycle::DrainRequest)> drain_;
  imds::ScheduledEventsPoller poller_;

  Mutex mu_;
  CondVar wake_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace agentboot::cli

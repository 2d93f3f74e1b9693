// `run --idle-timeout`: a background thread running lifecycle::IdlePoller that posts a drain
// request to the lifecycle mailbox once the server shows no job for the timeout.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/lifecycle.h"

#include "app.h"
#include "run_flags.h"

namespace agentboot::cli {

class IdleWatch {
 public:
  IdleWatch(App& app, lifecycle::IdlePoller::Fetch fetch, Duration timeout, Duration poll);
  IdleWatch(const IdleWatch&) = delete;
  IdleWatch& operator=(const IdleWatch&) = delete;
  ~IdleWatch();  // stops and joins

  void Start(lifecycle::Mailbox& mailbox);

 private:
  lifecycle::IdlePoller poller_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// kInvalidArgument for a bad --idle-timeout (checked with the other lifecycle flags).
[[nodiscard]] Status CheckIdleTimeout(const RunFlags& flags);
// nullptr without a valid --idle-timeout. `client` and `files` must outlive the watch.
std::unique_ptr<IdleWatch> MakeIdleWatch(App& app, devops::Client& client, agent::AgentFiles& files,
                                         const RunFlags& flags);

}  // namespace agentboot::cli

// A job as the fake listener runs it: the PipelineAgentJobRequest message's ids and the two
// variables the simulator adds (system.duration_ms, agentboot.sim.result); lock renewal at start
// and then periodically; completion with the requested result, or "canceled".
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "agentboot/base.h"

#include "listener_server.h"

namespace agentboot::fake_agent {

struct JobMessage {
  int64_t request_id = 0;
  std::string job_id;
  std::string plan_id;
  std::string lock_token;
  int64_t duration_ms = 0;
  std::string result = "succeeded";
};

// Variables may be {"name":{"value":"…"}} (the service's shape) or plain strings.
// kInvalidArgument when the body is not a job request.
[[nodiscard]] Result<JobMessage> ParseJobMessage(const std::string& body);

class JobRunner {
 public:
  JobRunner(ServerConnection& server, Duration renew_interval)
      : server_(server), renew_interval_(renew_interval) {}
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;
  ~JobRunner();

  bool busy() const;
  const JobMessage& job() const { return job_; }  // valid while busy
  // Runs `job` on its own thread; `finished(result)` runs on that thread after the completion
  // PATCH.
  void Start(JobMessage job, std::function<void(const std::string&)> finished);
  void Cancel();  // the running job ends with result "canceled"
  // Waits for the running job; a no-op on the job's own thread.
  void Join();

 private:
  void Run(std::function<void(const std::string&)> finished);
  void Patch(const nlohmann::json& body);

  ServerConnection& server_;
  const Duration renew_interval_;
  JobMessage job_;
  mutable std::mutex mu_;
  std::condition_variable wakeup_;
  bool busy_ = false;
  bool cancel_ = false;
  std::thread thread_;
};

}  // namespace agentboot::fake_agent

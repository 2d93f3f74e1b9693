// `run --health-listen ADDR:PORT`: /healthz, /readyz and /metrics for Docker HEALTHCHECK,
// Kubernetes probes and VMSS application health. Readiness reflects the agent as the server last
// reported it, polled in the background (never a server call per probe).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/lifecycle.h"
#include "agentboot/supervisor.h"
#include "agentboot/telemetry.h"

#include "app.h"

namespace agentboot::cli {

class RunHealth {
 public:
  explicit RunHealth(App& app);
  RunHealth(const RunHealth&) = delete;
  RunHealth& operator=(const RunHealth&) = delete;
  ~RunHealth();  // stops the poller and the server

  // Starts the endpoint when `listen` is not empty. kInvalidArgument / kUnavailable otherwise.
  [[nodiscard]] Status Start(const std::string& listen);
  // Records the registration and starts polling the agent's server-side state. `client` must
  // outlive this object.
  void Registered(const agent::Registration& registration, devops::Client& client);
  void OnTransition(const supervisor::State& state);
  void JobFinished(const std::string& result);
  // A drain makes the agent not ready (it takes no new job) and reports the listener as
  // "draining"; its duration is the drain-duration gauge.
  void DrainStarted(const std::string& reason);
  void DrainFinished(const lifecycle::DrainReport& report);

 private:
  void Poll();
  void PollOnce();

  App& app_;
  telemetry::Metrics metrics_;
  telemetry::HealthModel model_;
  std::unique_ptr<telemetry::HealthServer> server_;
  supervisor::Phase last_phase_ = supervisor::Phase::kIdle;
  std::atomic<bool> draining_{false};
  std::atomic<int> listener_pid_{0};  // while running; read by every probe

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  devops::Client* client_ = nullptr;
  int64_t pool_id_ = 0;
  int64_t agent_id_ = 0;
  std::thread poller_;
};

}  // namespace agentboot::cli

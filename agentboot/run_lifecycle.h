// `run`'s drain and key rotation: the lifecycle controller on its own thread, fed by the stop
// signals, SIGUSR1 (rotate now), the rotation schedule and Azure Scheduled Events, and driving
// the supervisor through posted commands.
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/imds.h"
#include "agentboot/lifecycle.h"
#include "agentboot/lifecycle_status.h"
#include "agentboot/supervisor.h"

#include "app.h"
#include "idle_watch.h"
#include "run_flags.h"
#include "run_health.h"
#include "scheduled_events_watch.h"

namespace agentboot::cli {

// The lifecycle policy from the command line (kInvalidArgument for a bad --rotate-key-every).
[[nodiscard]] Result<lifecycle::Policy> LifecyclePolicyFrom(const RunFlags& flags);

class RunLifecycle {
 public:
  // Everything must outlive this object. `after_key_written` runs after every key rotation
  // attempt (with --run-as: give the new key file to the listener's user).
  RunLifecycle(App& app, devops::Client& client, agent::AgentFiles& files, const RunFlags& flags,
               lifecycle::Policy policy, RunHealth& health,
               std::function<Status()> after_key_written);
  RunLifecycle(const RunLifecycle&) = delete;
  RunLifecycle& operator=(const RunLifecycle&) = delete;
  // Shutdown and join, when Finish was not called; the status file says "stopped".
  ~RunLifecycle();

  // Starts the controller (and the Scheduled Events watch when enabled) around `supervisor`,
  // and the status file (<agent-dir>/.agentboot.status, lifecycle_status.h): every supervisor
  // transition, drain and rotation step is written to it from here on.
  void Start(supervisor::Supervisor& supervisor);
  // supervisor::Hooks::on_signal: the first stop signal drains, the second hurries the drain,
  // a third is left to the supervisor (SIGKILL); a repeat within 2 s of the last one is the same
  // request (supervisor::StopSignals); SIGUSR1 rotates the key.
  bool OnSignal(int signal);
  // supervisor::Hooks::on_transition.
  void OnTransition(const supervisor::State& state);
  // After the supervisor returned: lets a drain in progress finish, then joins. The drain's
  // report when one ran. The status file says "stopping" from here on.
  std::optional<lifecycle::DrainReport> Finish();

 private:
  class SupervisorListener;
  lifecycle::Callbacks StatusCallbacks();
  void RecordStep(const lifecycle::Progress& progress);

  App& app_;
  const RunFlags& flags_;
  lifecycle::Policy policy_;
  RunHealth& health_;
  std::unique_ptr<lifecycle::Mailbox> mailbox_;
  std::unique_ptr<IdleWatch> idle_;  // run --idle-timeout (idle_watch.h); before the mailbox dies
  std::unique_ptr<lifecycle::AgentControl> agent_;
  std::unique_ptr<SupervisorListener> listener_;
  std::unique_ptr<lifecycle::Controller> controller_;
  std::unique_ptr<imds::ImdsClient> imds_;
  std::unique_ptr<imds::ImdsClient> events_imds_;  // the watch's, on a kept-alive connection
  std::unique_ptr<ScheduledEventsWatch> events_;
  std::optional<lifecycle::DrainReport> report_;
  lifecycle::StatusWriter status_;
  bool status_started_ = false;
  std::thread thread_;
  supervisor::StopSignals stop_signals_;
  bool paused_ = false;
};

}  // namespace agentboot::cli

// A stop that reached the listener without agentboot (issue 15 item 7). agentboot stops the
// listener only with SIGINT (and SIGKILL after --stop-timeout); a listener that ends by SIGTERM
// got it from someone else, typically systemd with the default KillMode=control-group, which
// signals every process of the unit at once. The real listener cancels its running job on
// SIGTERM and then ends as the runtime's SIGTERM default does (exit 143 or the signal itself):
// .NET 8 through AssemblyLoadContext.Unloading -> ShutdownAgent, .NET 10 at once (agent-audit
// row 6: src/Agent.Listener/Agent.cs:62-63,326-333, HostContext.cs:113,715-721).
// After such a stop the listener is not restarted, and the run reports whether a job was
// cancelled, from the server's job requests, instead of claiming a clean drain.
#pragma once

#include <optional>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/supervisor.h"

namespace agentboot::cli {

// SIGTERM as the listener's end: the signal, or exit 143 (128 + SIGTERM) from a runtime that
// ran its handlers first. agentboot itself never sends SIGTERM to the listener.
bool EndedBySigterm(const supervisor::ExitStatus& status);

class OutsideStop {
 public:
  explicit OutsideStop(Clock& clock) : clock_(clock) {}
  // supervisor::Hooks::on_signal: a stop signal reached agentboot (the first one is kept).
  void StopSignalReceived();
  // supervisor::Hooks::on_exit: true when the listener ended by SIGTERM after a stop signal
  // reached agentboot: the stop is under way, the listener must not be started again.
  bool ListenerEnded(const supervisor::ExitStatus& status);
  bool happened() const { return exit_.has_value(); }
  // Read from the server while the agent still exists (before a drain may delete it): a job of
  // this agent still running, or finished canceled/abandoned since the stop signal. nullopt
  // when the job requests cannot be read.
  std::optional<bool> JobCancelled(devops::Client& client, const agent::Registration& registration);
  // Logs what happened (an error when a job was cancelled, with what to change).
  void Report(Logger& log, std::optional<bool> job_cancelled) const;

 private:
  Clock& clock_;
  std::optional<TimePoint> first_stop_;
  std::optional<supervisor::ExitStatus> exit_;
};

}  // namespace agentboot::cli

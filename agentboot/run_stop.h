// `run`: a stop (SIGTERM, SIGINT, SIGHUP) before the listener starts ends the run at once
// (security review M8). The signals stay blocked for the supervisor's signalfd; while they are
// pending, ProcessStopToken() makes the identity wait, retry sleeps and the package download give
// up, and every failure then maps to kExitStopped.
#pragma once

#include <optional>

#include "agentboot/agent.h"
#include "agentboot/devops.h"

#include "app.h"
#include "run_flags.h"

namespace agentboot::cli {

class PreparationStop {
 public:
  PreparationStop();   // arms ProcessStopToken() with the pending stop signals
  ~PreparationStop();  // Disarm()
  PreparationStop(const PreparationStop&) = delete;
  PreparationStop& operator=(const PreparationStop&) = delete;

  // The stop signal seen so far, if any.
  std::optional<int> Requested();
  // From here on the supervisor reads the stop signals (a pending one starts a drain).
  void Disarm();
};

// The registration finished, but a stop is pending: the listener is not started. The agent is
// deleted (with --once, or without --keep-registration, as a drain would), and the run ends
// with kExitStopped (or the unregistration's failure code).
int StopAfterRegistration(App& app, devops::Client& client, agent::AgentFiles& files,
                          const RunFlags& flags, int signal);

}  // namespace agentboot::cli

#include "run_stop.h"

#include <cstring>

#include "exit_codes.h"

namespace agentboot::cli {

PreparationStop::PreparationStop() { ProcessStopToken().Arm(&PendingStopSignal); }

PreparationStop::~PreparationStop() { Disarm(); }

std::optional<int> PreparationStop::Requested() { return ProcessStopToken().Requested(); }

void PreparationStop::Disarm() { ProcessStopToken().Disarm(); }

int StopAfterRegistration(App& app, devops::Client& client, agent::AgentFiles& files,
                          const RunFlags& flags, int signal) {
  const char* name = ::sigabbrev_np(signal);
  Logger& log = app.env().log;
  const bool remove = flags.once || !flags.keep_registration;
  log.Log(LogLevel::kWarning, "run", "stopped before the listener started",
          {{"signal", std::string("SIG") + (name != nullptr ? name : "?")},
           {"agent", remove ? "removed" : "kept (--keep-registration)"}});
  if (!remove) return kExitStopped;
  // The deletion must not be cut short by the very stop it completes.
  ProcessStopToken().Disarm();
  auto removed = agent::Unregister(client, files, app.env(), "", "", false);
  if (!removed) {
    PrintFailure(removed.error());
    return ExitCodeFor(Stage::kDevOps, removed.error());
  }
  return kExitStopped;
}

}  // namespace agentboot::cli

// Small value helpers of the public header: names and the exit-code table.

#include <string>

#include "agentboot/supervisor.h"

#include <string.h>

namespace agentboot::supervisor {

std::string ExitStatus::ToString() const {
  if (!signaled()) return "exit " + std::to_string(code);
  const char* abbrev = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) +
         (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : std::string());
}

std::string_view PhaseName(Phase phase) noexcept {
  switch (phase) {
    case Phase::kIdle:
      return "idle";
    case Phase::kStarting:
      return "starting";
    case Phase::kRunning:
      return "running";
    case Phase::kStopping:
      return "stopping";
    case Phase::kBackoff:
      return "backoff";
    case Phase::kAwaitingUpdate:
      return "awaiting_update";
    case Phase::kDone:
      return "done";
    case Phase::kPaused:
      return "paused";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kSucceeded:
      return "succeeded";
    case Outcome::kStopped:
      return "stopped";
    case Outcome::kTerminated:
      return "terminated";
    case Outcome::kListenerFailed:
      return "listener_failed";
    case Outcome::kCrashLoop:
      return "crash_loop";
    case Outcome::kLaunchFailed:
      return "launch_failed";
    case Outcome::kKilled:
      return "killed";
  }
  return "unknown";
}

int SupervisorExitCode(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kSucceeded:
    case Outcome::kStopped:
      return 0;
    case Outcome::kTerminated:
      return 10;
    case Outcome::kListenerFailed:
      return 11;
    case Outcome::kCrashLoop:
      return 12;
    case Outcome::kLaunchFailed:
      return 13;
    case Outcome::kKilled:
      return 14;
  }
  return 1;
}

}  // namespace agentboot::supervisor

// Pause and resume in the transition table, for a controller that drains the agent or rotates
// its key. A pause stops the listener exactly like a stop (SIGINT, SIGKILL to the group at the
// kill deadline) but ends in kPaused: no outcome, no Exit, not counted against the restart budget.

#include <string>

#include "agentboot/supervisor.h"

#include "stepper.h"

namespace agentboot::supervisor::detail {

void Stepper::operator()(const PauseRequested&) {
  switch (s().phase) {
    case Phase::kRunning:
      return BeginPause();
    case Phase::kStarting:
      // No pid to signal yet: pause as soon as ChildStarted arrives. A pending stop wins.
      if (s().stop_pending) return Ignored("pause");
      s().pause_pending = true;
      t_.actions.emplace_back(Info("pause requested; pausing once the listener has started"));
      return;
    case Phase::kIdle:
    case Phase::kBackoff:
    case Phase::kAwaitingUpdate:
      // Nothing runs: cancel the restart or update deadline and pause now.
      EnterPaused();
      t_.actions.emplace_back(Info("listener paused"));
      return;
    case Phase::kStopping:
      // Already pausing: a resume asked meanwhile is superseded by this later pause.
      if (s().pausing && s().resume_pending) {
        s().resume_pending = false;
        t_.actions.emplace_back(Info("pause requested; the pending resume is cancelled"));
        return;
      }
      return Ignored("pause");
    case Phase::kPaused:
    case Phase::kDone:
      return Ignored("pause");
  }
}

void Stepper::operator()(const ResumeRequested&) {
  switch (s().phase) {
    case Phase::kPaused:
      // A new launch; ever_started stays as it was.
      t_.actions.emplace_back(Info("resuming the listener"));
      return LaunchNow();
    case Phase::kStarting:
      // The child being launched may simply keep running.
      if (!s().pause_pending) return Ignored("resume");
      s().pause_pending = false;
      t_.actions.emplace_back(Info("resume requested; the pending pause is cancelled"));
      return;
    case Phase::kStopping:
      // The SIGINT cannot be taken back: relaunch right after the exit instead of pausing, so
      // the resume is not lost.
      if (!s().pausing) return Ignored("resume");
      s().resume_pending = true;
      t_.actions.emplace_back(Info("resume requested while pausing; relaunching after the exit"));
      return;
    default:
      return Ignored("resume");
  }
}

void Stepper::operator()(const RecycleRequested& request) {
  if (request.for_a_replaced_listener) {
    t_.actions.emplace_back(
        Info("recycle request ignored: the listener it was for has exited and "
             "another has been launched since"));
    return;
  }
  switch (s().phase) {
    case Phase::kRunning:
      BeginPause();
      s().resume_pending = true;  // FinishPause relaunches instead of pausing
      return;
    case Phase::kBackoff:
      t_.actions.emplace_back(Info("relaunching the listener now"));
      return LaunchNow();
    default:
      // Starting, stopping, paused (a drain or rotation holds it), awaiting an update, done:
      // whoever owns that phase launches next, and the launch spec is made then.
      return Ignored("recycle");
  }
}

void Stepper::BeginPause() {
  t_.actions.emplace_back(Info("pausing the listener", {{"pid", std::to_string(s().pid)}}));
  BeginStop();
  s().pausing = true;
}

void Stepper::FinishPause(const ExitStatus& status) {
  const bool killed = s().kill_sent;
  const bool resume = s().resume_pending;
  EnterPaused();
  if (killed) {
    t_.actions.emplace_back(Warn(
        "listener paused", {{"status", status.ToString()},
                            {"detail", "it ignored SIGINT and was killed; its job was lost"}}));
  } else {
    t_.actions.emplace_back(Info("listener paused", {{"status", status.ToString()}}));
  }
  if (!resume) return;
  t_.actions.emplace_back(Info("resuming the listener"));
  LaunchNow();
}

void Stepper::EnterPaused() {
  s().phase = Phase::kPaused;
  s().deadline.reset();
  s().pause_pending = false;
  s().pausing = false;
  s().resume_pending = false;
  s().kill_sent = false;
}

void Stepper::Ignored(std::string_view request) {
  t_.actions.emplace_back(LogMessage{LogLevel::kDebug,
                                     std::string(request) + " request ignored",
                                     {{"phase", std::string(PhaseName(s().phase))}}});
}

}  // namespace agentboot::supervisor::detail

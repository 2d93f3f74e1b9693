// The working part of Step: a Stepper applies one event to a copy of the state and collects the
// actions. Pure (no clock, no randomness, no I/O). transition.cc holds the launch, exit, stop and
// update rules; transition_pause.cc holds pause and resume.
#pragma once

#include <string>
#include <vector>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor::detail {

inline LogMessage Info(std::string message, std::vector<LogField> fields = {}) {
  return LogMessage{LogLevel::kInfo, std::move(message), std::move(fields)};
}
inline LogMessage Warn(std::string message, std::vector<LogField> fields = {}) {
  return LogMessage{LogLevel::kWarning, std::move(message), std::move(fields)};
}

class Stepper {
 public:
  Stepper(const State& state, TimePoint now) : now_(now) { t_.next = state; }

  Transition Finish();

  void operator()(const Start&);
  void operator()(const ChildStarted& e);
  void operator()(const LaunchFailed& e);
  void operator()(const ChildExited& e);
  void operator()(const Timeout&);
  void operator()(const StopRequested& e);
  void operator()(const UpdateSwapped& e);
  void operator()(const PauseRequested&);
  void operator()(const ResumeRequested&);
  void operator()(const RecycleRequested&);

 private:
  State& s() { return t_.next; }

  bool WillRestart(const ChildExited& e) const;
  void Record(const ExitStatus& status, bool restarted);
  int RecentRestarts() const;  // restarts within the window, including the one just recorded
  bool OverBudget();           // true (and kDone) when the restart budget is spent
  void Failure(const ExitStatus& status, double jitter);
  void AwaitUpdate();
  void LaunchNow();
  void LaunchAfterSpacing();
  void BeginStop();
  void Kill();
  void Done(Outcome outcome);

  // transition_pause.cc
  void BeginPause();                           // kRunning: stop, but remember it is a pause
  void FinishPause(const ExitStatus& status);  // the listener exited while pausing
  void EnterPaused();
  void ScheduleRestart(const ExitStatus& status, double jitter);  // back-off, no budget check
  void Ignored(std::string_view request);  // a debug line: the request does not apply here

  TimePoint now_;
  Transition t_;
};

}  // namespace agentboot::supervisor::detail

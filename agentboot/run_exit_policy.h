// `run`'s exit policy as data and pure functions: how the listener ended (and what the server,
// the drain and an outside stop say about it) decides the supervisor's next step and the run's
// exit code from the one exit-code table (exit_codes.h). The callers (RegistrationKeeper,
// run_command.cc) gather the facts and carry out the verdict; nothing here does I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agentboot/base.h"
#include "agentboot/lifecycle.h"
#include "agentboot/supervisor.h"

namespace agentboot::cli {

// ---------------------------------------------------------------------------------------------
// After each listener exit (supervisor::Hooks::on_exit).

// What the server says about the agent (two "not found" answers in a row mean kDeleted).
enum class ServerView { kPresent, kDeleted, kUnreachable, kOther };

// How the re-registration of a deleted agent went.
enum class Reregistration { kNotTried, kDone, kUnreachable, kRefused };

// Exit 0 (stopped), 3 and 4 (an update) are the supervisor's own business; any other exit or a
// signal makes the keeper ask the server whether the agent still exists (agent-audit D3).
bool ExitNeedsServerCheck(const supervisor::ExitStatus& status);

// A re-registration failure the network may cure (unavailable, timed out, throttled).
bool IsUnreachable(const Error& error);

struct ListenerExitFacts {
  supervisor::ExitStatus status;
  ServerView server = ServerView::kOther;
  Reregistration reregistration = Reregistration::kNotTried;
  bool session_conflict = false;  // the listener logged a session conflict since the last exit
};

struct ListenerExitVerdict {
  supervisor::ExitDecision decision = supervisor::ExitDecision::kFollowPolicy;
  bool reregister_before_launch = false;   // BeforeLaunch registers again after the back-off
  bool reregistration_fatal = false;       // the refusal ends supervision (fatal_error)
  bool session_conflict_consumed = false;  // the conflict was answered with a restart
  LogLevel log_level = LogLevel::kInfo;
  std::string_view log_message;  // empty: nothing to log
};

// RegistrationKeeper::OnExit's decision, for an exit that needed the server's view.
ListenerExitVerdict DecideListenerExit(const ListenerExitFacts& facts);

// A listener stopped from outside (SIGTERM, run_outside_stop.h) while agentboot stops too is
// never started again, whatever the keeper decided.
supervisor::ExitDecision WithOutsideStop(supervisor::ExitDecision keeper_decision,
                                         bool outside_stop_ended_listener);

// ---------------------------------------------------------------------------------------------
// After supervision: the run's exit code.

// The exit code of a --once job's result as the server reports it ("" when no job ran).
int JobResultExitCode(const std::string& result);

// The outcome of a verdict: the code, and the failure to print (PrintFailure) if any.
struct RunVerdict {
  int code = 0;
  std::optional<Error> failure;
  // --once: the agent was deleted (or its deletion's failure reported) on the way; when false,
  // the caller deletes it with a fresh token and keeps `code`.
  bool once_agent_handled = false;
};

// A drained run: 0 when the agent is gone (or re-enabled) and the events acknowledged.
RunVerdict DrainedVerdict(const lifecycle::DrainReport& report,
                          const supervisor::RunResult& result);

struct RunEnd {
  std::optional<Error> supervision_error;   // Supervisor::Run failed
  supervisor::RunResult result;             // when it did not
  std::optional<Error> registration_fatal;  // RegistrationKeeper::fatal_error
  bool once = false;
  std::string job_result;  // --once: the last job's result ("" when none or unknown)
  std::optional<lifecycle::DrainReport> drained;
  std::optional<bool> job_cancelled;  // after an outside stop: nullopt unknown
  // --once without a drain: the exit code of the agent's failed deletion (already printed).
  std::optional<int> once_unregister_failure;
};

// --once without a drain: the caller deletes the agent before asking for the verdict.
bool OnceNeedsUnregister(const RunEnd& end);

// The exit code of `run` once supervision has ended.
RunVerdict DecideRunExit(const RunEnd& end);

}  // namespace agentboot::cli

#include "run_exit_policy.h"

#include "agentboot/devops.h"

#include "exit_codes.h"

namespace agentboot::cli {
namespace {

using supervisor::ExitDecision;

ListenerExitVerdict AfterDeletion(Reregistration reregistration) {
  ListenerExitVerdict verdict;
  if (reregistration == Reregistration::kDone) {
    verdict.decision = ExitDecision::kRelaunch;
    return verdict;
  }
  verdict.log_level = LogLevel::kError;
  verdict.log_message = "re-registration failed";
  if (reregistration == Reregistration::kUnreachable) {
    verdict.decision = ExitDecision::kBackoffUncounted;
    verdict.reregister_before_launch = true;  // BeforeLaunch tries again after the back-off
    return verdict;
  }
  verdict.decision = ExitDecision::kStop;
  verdict.reregistration_fatal = true;
  return verdict;
}

// A listener killed without deleting its session leaves it behind until the service expires it;
// the next listener gives up after 4 minutes of conflicts and exits 1
// (MessageListener.cs:460-500). That is worth another try, not the end of the run.
ListenerExitVerdict AgentPresent(const ListenerExitFacts& facts) {
  ListenerExitVerdict verdict;
  if (!facts.status.signaled() && facts.status.code == 1 && facts.session_conflict) {
    verdict.decision = ExitDecision::kRestart;
    verdict.session_conflict_consumed = true;
  }
  return verdict;
}

RunVerdict Failed(int code, const Error& error, bool once_agent_handled) {
  return {code, error, once_agent_handled};
}

RunVerdict OnceVerdict(const RunEnd& end) {
  if (end.drained) {
    // The drain removed the agent already (or says why it could not).
    RunVerdict drained = DrainedVerdict(*end.drained, end.result);
    if (drained.code != kExitOk) return drained;
    return {JobResultExitCode(end.job_result), std::nullopt, true};
  }
  if (end.once_unregister_failure) return {*end.once_unregister_failure, std::nullopt, true};
  const supervisor::Outcome outcome = end.result.outcome;
  if (outcome != supervisor::Outcome::kSucceeded && outcome != supervisor::Outcome::kStopped &&
      end.job_result.empty()) {
    return {end.result.exit_code, std::nullopt, true};
  }
  return {JobResultExitCode(end.job_result), std::nullopt, true};
}

}  // namespace

bool ExitNeedsServerCheck(const supervisor::ExitStatus& status) {
  return status.signaled() || (status.code != 0 && status.code != 3 && status.code != 4);
}

bool IsUnreachable(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadlineExceeded ||
         error.code == ErrorCode::kThrottled;
}

ListenerExitVerdict DecideListenerExit(const ListenerExitFacts& facts) {
  switch (facts.server) {
    case ServerView::kDeleted:
      return AfterDeletion(facts.reregistration);
    case ServerView::kUnreachable: {
      ListenerExitVerdict verdict;
      verdict.decision = ExitDecision::kBackoffUncounted;
      verdict.log_level = LogLevel::kWarning;
      verdict.log_message =
          "Azure DevOps is unreachable; the listener is restarted after a back-off that does not "
          "count as a crash";
      return verdict;
    }
    case ServerView::kPresent:
      return AgentPresent(facts);
    case ServerView::kOther:
      break;
  }
  return {};
}

ExitDecision WithOutsideStop(ExitDecision keeper_decision, bool outside_stop_ended_listener) {
  return outside_stop_ended_listener ? ExitDecision::kStop : keeper_decision;
}

int JobResultExitCode(const std::string& result) {
  return ExitCodeForJob(devops::ParseJobResult(result));
}

RunVerdict DrainedVerdict(const lifecycle::DrainReport& report,
                          const supervisor::RunResult& result) {
  if (report.cleanup_error) {
    return Failed(ExitCodeFor(Stage::kDevOps, *report.cleanup_error), *report.cleanup_error, true);
  }
  if (report.acknowledge_error) return Failed(kExitTemporary, *report.acknowledge_error, true);
  // The listener ignored SIGINT and was killed: say that a job may have been lost.
  if (result.outcome == supervisor::Outcome::kKilled) return {result.exit_code, std::nullopt, true};
  return {kExitOk, std::nullopt, true};
}

bool OnceNeedsUnregister(const RunEnd& end) {
  return end.once && !end.supervision_error && !end.registration_fatal && !end.drained;
}

RunVerdict DecideRunExit(const RunEnd& end) {
  if (end.supervision_error) return Failed(kExitInternal, *end.supervision_error, false);
  if (end.registration_fatal) {
    return Failed(ExitCodeFor(Stage::kDevOps, *end.registration_fatal), *end.registration_fatal,
                  false);
  }
  if (end.once) return OnceVerdict(end);
  // The supervisor's outcome codes (0, 10-14) are the executable's own (exit_codes.h).
  RunVerdict verdict = end.drained ? DrainedVerdict(*end.drained, end.result)
                                   : RunVerdict{end.result.exit_code, std::nullopt, false};
  verdict.once_agent_handled = false;
  if (verdict.code == kExitOk && end.job_cancelled == true) verdict.code = kExitJobCanceled;
  return verdict;
}

}  // namespace agentboot::cli

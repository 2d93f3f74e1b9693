// `run`'s exit code after supervision (DecideRunExit), one row per branch of the policy.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "exit_codes.h"
#include "run_exit_policy.h"

namespace agentboot::cli {
namespace {

using supervisor::Outcome;

supervisor::RunResult Ended(Outcome outcome) {
  supervisor::RunResult result;
  result.outcome = outcome;
  result.exit_code = supervisor::SupervisorExitCode(outcome);
  return result;
}

Error DevOpsError(ErrorCode code, std::string context) {
  Error error;
  error.code = code;
  error.context = std::move(context);
  error.detail = "scripted";
  return error;
}

lifecycle::DrainReport CleanDrain() {
  lifecycle::DrainReport report;
  report.listener_stopped = true;
  return report;
}

lifecycle::DrainReport CleanupFailed() {
  lifecycle::DrainReport report = CleanDrain();
  report.cleanup_error = DevOpsError(ErrorCode::kPermissionDenied, "delete the agent");
  return report;
}

lifecycle::DrainReport AcknowledgeFailed() {
  lifecycle::DrainReport report = CleanDrain();
  report.acknowledge_error = DevOpsError(ErrorCode::kUnavailable, "acknowledge the event");
  return report;
}

struct Row {
  std::string name;
  RunEnd end;
  int code;
  std::string failure_context;  // "" when nothing is printed
  bool once_agent_handled;
};

RunEnd Supervised(Outcome outcome) {
  RunEnd end;
  end.result = Ended(outcome);
  return end;
}

RunEnd Once(Outcome outcome, std::string job) {
  RunEnd end = Supervised(outcome);
  end.once = true;
  end.job_result = std::move(job);
  return end;
}

template <typename Change>
RunEnd With(RunEnd end, Change change) {
  change(end);
  return end;
}

std::vector<Row> FailureRows() {
  return {
      {"supervision_error",
       With(Supervised(Outcome::kSucceeded),
            [](RunEnd& e) { e.supervision_error = DevOpsError(ErrorCode::kInternal, "signalfd"); }),
       kExitInternal, "signalfd", false},
      {"reregistration_refused",
       With(Supervised(Outcome::kStopped),
            [](RunEnd& e) {
              e.registration_fatal = DevOpsError(ErrorCode::kPermissionDenied, "register again");
            }),
       kExitDevOpsForbidden, "register again", false},
      {"once_reregistration_refused_leaves_the_agent_to_the_caller",
       With(Once(Outcome::kStopped, ""),
            [](RunEnd& e) {
              e.registration_fatal = DevOpsError(ErrorCode::kUnauthenticated, "register again");
            }),
       kExitDevOpsUnauthenticated, "register again", false},
  };
}

std::vector<Row> SupervisedRows() {
  auto drained = [](lifecycle::DrainReport report) {
    return [report](RunEnd& e) { e.drained = report; };
  };
  auto cancelled = [](std::optional<bool> value) {
    return [value](RunEnd& e) { e.job_cancelled = value; };
  };
  return {
      {"listener_succeeded", Supervised(Outcome::kSucceeded), kExitOk, "", false},
      {"listener_stopped", Supervised(Outcome::kStopped), kExitOk, "", false},
      {"listener_terminated", Supervised(Outcome::kTerminated), kExitListenerTerminated, "", false},
      {"crash_loop", Supervised(Outcome::kCrashLoop), kExitCrashLoop, "", false},
      {"launch_failed", Supervised(Outcome::kLaunchFailed), kExitLaunchFailed, "", false},
      {"listener_killed", Supervised(Outcome::kKilled), kExitListenerKilled, "", false},
      {"outside_stop_cancelled_a_job", With(Supervised(Outcome::kStopped), cancelled(true)),
       kExitJobCanceled, "", false},
      {"outside_stop_no_job", With(Supervised(Outcome::kStopped), cancelled(false)), kExitOk, "",
       false},
      {"outside_stop_job_unknown", With(Supervised(Outcome::kStopped), cancelled(std::nullopt)),
       kExitOk, "", false},
      {"outside_stop_killed_keeps_14", With(Supervised(Outcome::kKilled), cancelled(true)),
       kExitListenerKilled, "", false},
      {"drained", With(Supervised(Outcome::kStopped), drained(CleanDrain())), kExitOk, "", false},
      {"drained_cleanup_failed", With(Supervised(Outcome::kStopped), drained(CleanupFailed())),
       kExitDevOpsForbidden, "delete the agent", false},
      {"drained_acknowledge_failed",
       With(Supervised(Outcome::kStopped), drained(AcknowledgeFailed())), kExitTemporary,
       "acknowledge the event", false},
      {"drained_listener_killed", With(Supervised(Outcome::kKilled), drained(CleanDrain())),
       kExitListenerKilled, "", false},
      {"drained_after_outside_stop_cancelled",
       With(With(Supervised(Outcome::kStopped), drained(CleanDrain())), cancelled(true)),
       kExitJobCanceled, "", false},
  };
}

std::vector<Row> OnceRows() {
  auto drained = [](lifecycle::DrainReport report) {
    return [report](RunEnd& e) { e.drained = report; };
  };
  return {
      {"once_succeeded", Once(Outcome::kSucceeded, "succeeded"), kExitOk, "", true},
      {"once_with_issues", Once(Outcome::kSucceeded, "succeededWithIssues"),
       kExitJobSucceededWithIssues, "", true},
      {"once_failed", Once(Outcome::kSucceeded, "failed"), kExitJobFailed, "", true},
      {"once_canceled", Once(Outcome::kSucceeded, "canceled"), kExitJobCanceled, "", true},
      {"once_abandoned", Once(Outcome::kSucceeded, "abandoned"), kExitJobCanceled, "", true},
      {"once_no_job", Once(Outcome::kSucceeded, ""), kExitNoJobRan, "", true},
      {"once_stopped_no_job", Once(Outcome::kStopped, ""), kExitNoJobRan, "", true},
      {"once_listener_failed_no_job", Once(Outcome::kListenerFailed, ""), kExitListenerFailed, "",
       true},
      {"once_crash_loop_but_job_known", Once(Outcome::kCrashLoop, "failed"), kExitJobFailed, "",
       true},
      {"once_unregister_failed",
       With(Once(Outcome::kSucceeded, "succeeded"),
            [](RunEnd& e) { e.once_unregister_failure = kExitDevOpsUnauthenticated; }),
       kExitDevOpsUnauthenticated, "", true},
      {"once_drained", With(Once(Outcome::kStopped, "canceled"), drained(CleanDrain())),
       kExitJobCanceled, "", true},
      {"once_drained_cleanup_failed",
       With(Once(Outcome::kStopped, "succeeded"), drained(CleanupFailed())), kExitDevOpsForbidden,
       "delete the agent", true},
      {"once_drained_killed", With(Once(Outcome::kKilled, "succeeded"), drained(CleanDrain())),
       kExitListenerKilled, "", true},
  };
}

void Check(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const RunVerdict verdict = DecideRunExit(row.end);
    EXPECT_EQ(verdict.code, row.code);
    EXPECT_EQ(verdict.once_agent_handled, row.once_agent_handled);
    if (row.failure_context.empty()) {
      EXPECT_FALSE(verdict.failure.has_value()) << verdict.failure->ToString();
    } else {
      ASSERT_TRUE(verdict.failure.has_value());
      EXPECT_EQ(verdict.failure->context, row.failure_context);
    }
  }
}

TEST(DecideRunExit, FailuresBeforeThePolicy) { Check(FailureRows()); }
TEST(DecideRunExit, SupervisedRun) { Check(SupervisedRows()); }
TEST(DecideRunExit, OnceRun) { Check(OnceRows()); }

TEST(DecideRunExit, EveryCodeIsInTheExitCodeTable) {
  std::vector<Row> rows = FailureRows();
  for (auto more : {SupervisedRows(), OnceRows()})
    rows.insert(rows.end(), more.begin(), more.end());
  for (const Row& row : rows) {
    bool listed = false;
    for (const ExitCodeInfo& info : ExitCodeTable()) listed = listed || info.code == row.code;
    EXPECT_TRUE(listed) << row.name << ": " << row.code;
  }
}

TEST(OnceNeedsUnregister, OnlyAnUndrainedOnceRunThatEndedNormally) {
  EXPECT_TRUE(OnceNeedsUnregister(Once(Outcome::kSucceeded, "succeeded")));
  EXPECT_TRUE(OnceNeedsUnregister(Once(Outcome::kListenerFailed, "")));
  EXPECT_FALSE(OnceNeedsUnregister(Supervised(Outcome::kSucceeded)));
  EXPECT_FALSE(OnceNeedsUnregister(
      With(Once(Outcome::kStopped, ""), [](RunEnd& e) { e.drained = CleanDrain(); })));
  EXPECT_FALSE(OnceNeedsUnregister(With(Once(Outcome::kStopped, ""), [](RunEnd& e) {
    e.supervision_error = DevOpsError(ErrorCode::kInternal, "x");
  })));
  EXPECT_FALSE(OnceNeedsUnregister(With(Once(Outcome::kStopped, ""), [](RunEnd& e) {
    e.registration_fatal = DevOpsError(ErrorCode::kPermissionDenied, "x");
  })));
}

TEST(JobResultExitCode, EveryServerResult) {
  EXPECT_EQ(JobResultExitCode("succeeded"), kExitOk);
  EXPECT_EQ(JobResultExitCode("succeededWithIssues"), kExitJobSucceededWithIssues);
  EXPECT_EQ(JobResultExitCode("failed"), kExitJobFailed);
  EXPECT_EQ(JobResultExitCode("canceled"), kExitJobCanceled);
  EXPECT_EQ(JobResultExitCode("abandoned"), kExitJobCanceled);
  EXPECT_EQ(JobResultExitCode(""), kExitNoJobRan);
  EXPECT_EQ(JobResultExitCode("skipped"), kExitNoJobRan);
}

}  // namespace
}  // namespace agentboot::cli

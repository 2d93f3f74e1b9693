// RegistrationKeeper::OnExit's decision, one row per branch (run_exit_policy.h).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_exit_policy.h"

namespace agentboot::cli {
namespace {

using supervisor::ExitDecision;
using supervisor::ExitStatus;

ExitStatus Exited(int code) { return {code, 0}; }
ExitStatus Killed(int signal) { return {-1, signal}; }

Error WithCode(ErrorCode code) {
  Error error;
  error.code = code;
  return error;
}

TEST(ExitNeedsServerCheck, OnlyUnexpectedExitsAskTheServer) {
  struct Row {
    ExitStatus status;
    bool check;
  };
  const std::vector<Row> rows{
      {Exited(0), false},  // stopped: the supervisor's own table
      {Exited(3), false},  // self-update
      {Exited(4), false},  // self-update (ephemeral)
      {Exited(1), true},  {Exited(2), true},  {Exited(143), true},
      {Killed(9), true},  {Killed(15), true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.status.ToString());
    EXPECT_EQ(ExitNeedsServerCheck(row.status), row.check);
  }
}

struct ExitRow {
  std::string name;
  ListenerExitFacts facts;
  ExitDecision decision;
  bool reregister_before_launch;
  bool fatal;
  bool conflict_consumed;
  LogLevel log_level;
  std::string log_contains;  // "" when nothing is logged
};

std::vector<ExitRow> ExitRows() {
  using enum ServerView;
  return {
      {"deleted_registered_again",
       {Exited(2), kDeleted, Reregistration::kDone, false},
       ExitDecision::kRelaunch,
       false,
       false,
       false,
       LogLevel::kInfo,
       ""},
      {"deleted_reregistration_unreachable",
       {Exited(2), kDeleted, Reregistration::kUnreachable, false},
       ExitDecision::kBackoffUncounted,
       true,
       false,
       false,
       LogLevel::kError,
       "re-registration failed"},
      {"deleted_reregistration_refused",
       {Killed(9), kDeleted, Reregistration::kRefused, false},
       ExitDecision::kStop,
       false,
       true,
       false,
       LogLevel::kError,
       "re-registration failed"},
      {"server_unreachable",
       {Exited(2), kUnreachable, Reregistration::kNotTried, false},
       ExitDecision::kBackoffUncounted,
       false,
       false,
       false,
       LogLevel::kWarning,
       "does not count as a crash"},
      {"present_exit1_session_conflict",
       {Exited(1), kPresent, Reregistration::kNotTried, true},
       ExitDecision::kRestart,
       false,
       false,
       true,
       LogLevel::kInfo,
       ""},
      {"present_exit1_no_conflict",
       {Exited(1), kPresent, Reregistration::kNotTried, false},
       ExitDecision::kFollowPolicy,
       false,
       false,
       false,
       LogLevel::kInfo,
       ""},
      {"present_exit2_conflict_kept",
       {Exited(2), kPresent, Reregistration::kNotTried, true},
       ExitDecision::kFollowPolicy,
       false,
       false,
       false,
       LogLevel::kInfo,
       ""},
      {"present_signal_conflict_kept",
       {Killed(11), kPresent, Reregistration::kNotTried, true},
       ExitDecision::kFollowPolicy,
       false,
       false,
       false,
       LogLevel::kInfo,
       ""},
      {"other_server_answer",
       {Exited(1), kOther, Reregistration::kNotTried, true},
       ExitDecision::kFollowPolicy,
       false,
       false,
       false,
       LogLevel::kInfo,
       ""},
  };
}

TEST(DecideListenerExit, OneRowPerBranch) {
  for (const ExitRow& row : ExitRows()) {
    SCOPED_TRACE(row.name);
    const ListenerExitVerdict verdict = DecideListenerExit(row.facts);
    EXPECT_EQ(verdict.decision, row.decision);
    EXPECT_EQ(verdict.reregister_before_launch, row.reregister_before_launch);
    EXPECT_EQ(verdict.reregistration_fatal, row.fatal);
    EXPECT_EQ(verdict.session_conflict_consumed, row.conflict_consumed);
    if (row.log_contains.empty()) {
      EXPECT_TRUE(verdict.log_message.empty()) << verdict.log_message;
      continue;
    }
    EXPECT_EQ(verdict.log_level, row.log_level);
    EXPECT_NE(verdict.log_message.find(row.log_contains), std::string_view::npos)
        << verdict.log_message;
  }
}

TEST(WithOutsideStop, AListenerStoppedFromOutsideIsNeverStartedAgain) {
  for (ExitDecision keeper :
       {ExitDecision::kFollowPolicy, ExitDecision::kRestart, ExitDecision::kRelaunch,
        ExitDecision::kBackoffUncounted, ExitDecision::kStop}) {
    SCOPED_TRACE(static_cast<int>(keeper));
    EXPECT_EQ(WithOutsideStop(keeper, true), ExitDecision::kStop);
    EXPECT_EQ(WithOutsideStop(keeper, false), keeper);
  }
}

TEST(IsUnreachable, OnlyNetworkFailuresWaitForABackoff) {
  for (ErrorCode code :
       {ErrorCode::kUnavailable, ErrorCode::kDeadlineExceeded, ErrorCode::kThrottled}) {
    EXPECT_TRUE(IsUnreachable(WithCode(code))) << ErrorCodeName(code);
  }
  for (ErrorCode code :
       {ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied, ErrorCode::kNotFound,
        ErrorCode::kAlreadyExists, ErrorCode::kInternal, ErrorCode::kInvalidArgument}) {
    EXPECT_FALSE(IsUnreachable(WithCode(code))) << ErrorCodeName(code);
  }
}

}  // namespace
}  // namespace agentboot::cli

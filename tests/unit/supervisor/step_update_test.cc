// Exit 3/4: wait for the update script's _diag marker, bounded by update_timeout.

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

using std::chrono::seconds;

TEST(StepUpdate, SucceededSwapRelaunches) {
  StepHarness h;
  h.StartRunning();
  h.Advance(seconds(30));
  h.ExitWith(3);
  h.Advance(seconds(4));
  Transition t = h.Apply(UpdateSwapped{true, "SelfUpdate-20260101-120000.log.succeed"});
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Launch>(t), 1);
}

TEST(StepUpdate, FailedSwapRelaunchesTheOldListenerWithAWarning) {
  StepHarness h;
  h.StartRunning();
  h.Advance(seconds(30));
  h.ExitWith(3);
  Transition t = h.Apply(UpdateSwapped{false, "SelfUpdate-1.log.failed"});
  EXPECT_EQ(CountActions<Launch>(t), 1);
  const LogMessage* log = FindAction<LogMessage>(t);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->level, LogLevel::kWarning);
}

TEST(StepUpdate, NoMarkerBeforeTheDeadlineRelaunchesAnyway) {
  StepHarness h;
  h.StartRunning();
  h.Advance(seconds(30));
  Transition t = h.ExitWith(3);
  EXPECT_EQ(*t.deadline - h.now(), h.state().policy.update_timeout);
  h.Advance(seconds(60));
  EXPECT_EQ(CountActions<Launch>(h.Apply(Timeout{})), 0);
  t = h.FireDeadline();
  EXPECT_EQ(CountActions<Launch>(t), 1);
  EXPECT_EQ(FindAction<LogMessage>(t)->level, LogLevel::kWarning);
}

TEST(StepUpdate, QuickSwapStillRespectsRestartSpacing) {
  StepHarness h;
  h.StartRunning();
  h.Advance(std::chrono::milliseconds(300));
  h.ExitWith(3);
  Transition t = h.Apply(UpdateSwapped{true, "SelfUpdate-1.log.succeed"});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_EQ(*t.deadline - h.now(), std::chrono::milliseconds(700));
  EXPECT_EQ(CountActions<Launch>(h.FireDeadline()), 1);
}

TEST(StepUpdate, SwapReportedOutsideTheWaitIsIgnored) {
  StepHarness h;
  h.StartRunning();
  Transition t = h.Apply(UpdateSwapped{true, "SelfUpdate-1.log.succeed"});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_TRUE(t.actions.empty());
}

TEST(StepUpdate, EndlessUpdateLoopHitsTheRestartBudget) {
  StepHarness h;
  h.StartRunning(1);
  for (int i = 0; i < 5; ++i) {
    h.Advance(seconds(2));
    h.ExitWith(3);
    h.Apply(UpdateSwapped{true, "SelfUpdate-" + std::to_string(i) + ".log.succeed"});
    h.Apply(ChildStarted{2 + i});
  }
  h.Advance(seconds(2));
  EXPECT_EQ(h.ExitWith(3).next.outcome, Outcome::kCrashLoop);
}

TEST(StepUpdate, StopWhileAwaitingTheUpdateFinishes) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(4);
  EXPECT_EQ(h.Apply(StopRequested{SIGTERM}).next.outcome, Outcome::kStopped);
}

}  // namespace
}  // namespace agentboot::supervisor

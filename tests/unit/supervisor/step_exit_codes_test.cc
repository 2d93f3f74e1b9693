// The restart table keyed by the listener's exit code (agent-contract §4).

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

TEST(StepExitCodes, StartLaunchesAndChildStartedRuns) {
  StepHarness h;
  Transition t = h.Apply(Start{});
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Launch>(t), 1);
  t = h.Apply(ChildStarted{42});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_EQ(t.next.pid, 42);
  EXPECT_FALSE(t.deadline.has_value());
}

TEST(StepExitCodes, ExitZeroFinishesWithSuccess) {
  StepHarness h;
  h.StartRunning();
  Transition t = h.ExitWith(0);
  EXPECT_EQ(t.next.phase, Phase::kDone);
  const Exit* exit = FindAction<Exit>(t);
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->outcome, Outcome::kSucceeded);
  EXPECT_EQ(exit->code, 0);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepExitCodes, ExitOneFinishesAsTerminatedWithDistinctCode) {
  StepHarness h;
  h.StartRunning();
  Transition t = h.ExitWith(1);
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->outcome, Outcome::kTerminated);
  EXPECT_EQ(FindAction<Exit>(t)->code, 10);
  EXPECT_EQ(t.next.outcome, Outcome::kTerminated);
}

TEST(StepExitCodes, ExitTwoRestartsAfterBackoff) {
  StepHarness h;
  h.StartRunning();
  h.Advance(std::chrono::seconds(5));
  Transition t = h.ExitWith(2);
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  ASSERT_TRUE(t.deadline.has_value());
  EXPECT_EQ(*t.deadline - h.now(), std::chrono::seconds(1));
  t = h.FireDeadline();
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Launch>(t), 1);
}

TEST(StepExitCodes, CrashBySignalCountsLikeExitTwo) {
  StepHarness h;
  h.StartRunning();
  Transition t = h.Apply(ChildExited{100, ExitStatus{-1, SIGSEGV}, 0});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_EQ(t.next.consecutive_failures, 1);
  ASSERT_EQ(t.next.tally.size(), 1U);
  EXPECT_EQ(t.next.tally[0].status.signal, SIGSEGV);
  EXPECT_TRUE(t.next.tally[0].restarted);
}

TEST(StepExitCodes, UnknownExitCodeRestartsLikeExitTwo) {
  StepHarness h;
  h.StartRunning();
  EXPECT_EQ(h.ExitWith(137).next.phase, Phase::kBackoff);
}

TEST(StepExitCodes, ExitThreeAndFourAwaitTheUpdateSwap) {
  for (int code : {3, 4}) {
    StepHarness h;
    h.StartRunning();
    Transition t = h.ExitWith(code);
    EXPECT_EQ(t.next.phase, Phase::kAwaitingUpdate) << code;
    EXPECT_EQ(CountActions<StartWatchingUpdate>(t), 1) << code;
    EXPECT_EQ(CountActions<Launch>(t), 0) << code;
  }
}

TEST(StepExitCodes, ExitFromAnotherPidIsIgnored) {
  StepHarness h;
  h.StartRunning(100);
  Transition t = h.Apply(ChildExited{555, ExitStatus{0, 0}, 0});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_TRUE(t.actions.empty());
}

TEST(StepExitCodes, FirstLaunchFailureIsAConfigurationError) {
  StepHarness h;
  h.Apply(Start{});
  Transition t = h.Apply(LaunchFailed{"exec: No such file or directory", 0});
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->outcome, Outcome::kLaunchFailed);
  EXPECT_EQ(FindAction<Exit>(t)->code, 13);
}

TEST(StepExitCodes, LaunchFailureAfterAnEarlierRunIsRetried) {
  StepHarness h;
  h.StartRunning();
  h.Advance(std::chrono::seconds(2));
  h.ExitWith(2);
  h.FireDeadline();
  Transition t = h.Apply(LaunchFailed{"exec: Text file busy", 0});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_EQ(t.next.consecutive_failures, 2);
}

TEST(StepExitCodes, OnceModeExitZeroIsTheOneRun) {
  Policy policy = StepHarness::FastPolicy();
  policy.once = true;
  StepHarness h(policy);
  h.StartRunning();
  EXPECT_EQ(h.ExitWith(0).next.outcome, Outcome::kSucceeded);
}

TEST(StepExitCodes, OnceModeCrashEndsSupervisionWithoutRestart) {
  Policy policy = StepHarness::FastPolicy();
  policy.once = true;
  StepHarness h(policy);
  h.StartRunning();
  Transition t = h.ExitWith(2);
  EXPECT_EQ(t.next.outcome, Outcome::kListenerFailed);
  EXPECT_EQ(FindAction<Exit>(t)->code, 11);
}

TEST(StepExitCodes, OnceModeExitFourDoesNotCountAsTheRun) {
  Policy policy = StepHarness::FastPolicy();
  policy.once = true;
  StepHarness h(policy);
  h.StartRunning();
  h.Advance(std::chrono::seconds(30));
  EXPECT_EQ(h.ExitWith(4).next.phase, Phase::kAwaitingUpdate);
  Transition t = h.Apply(UpdateSwapped{true, "SelfUpdate-1.log.succeed"});
  EXPECT_EQ(CountActions<Launch>(t), 1);
  h.Apply(ChildStarted{101});
  h.Advance(std::chrono::seconds(30));
  EXPECT_EQ(h.ExitWith(0).next.outcome, Outcome::kSucceeded);
}

TEST(StepExitCodes, CallerDecisionRestartOverridesTerminated) {
  StepHarness h;
  h.StartRunning();
  h.Advance(std::chrono::seconds(5));
  Transition t = h.Apply(ChildExited{100, ExitStatus{1, 0}, 0, ExitDecision::kRestart});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_TRUE(t.next.tally.back().restarted);
}

TEST(StepExitCodes, CallerDecisionStopEndsSupervision) {
  StepHarness h;
  h.StartRunning();
  Transition t = h.Apply(ChildExited{100, ExitStatus{2, 0}, 0, ExitDecision::kStop});
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
}

TEST(StepExitCodes, DoneIgnoresEveryFurtherEvent) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(0);
  for (const Event& e : {Event{Start{}}, Event{Timeout{}}, Event{StopRequested{SIGTERM}}}) {
    Transition t = h.Apply(e);
    EXPECT_EQ(t.next.phase, Phase::kDone);
    EXPECT_TRUE(t.actions.empty());
  }
}

TEST(StepExitCodes, ExitCodeTableIsDocumented) {
  EXPECT_EQ(SupervisorExitCode(Outcome::kSucceeded), 0);
  EXPECT_EQ(SupervisorExitCode(Outcome::kStopped), 0);
  EXPECT_EQ(SupervisorExitCode(Outcome::kTerminated), 10);
  EXPECT_EQ(SupervisorExitCode(Outcome::kListenerFailed), 11);
  EXPECT_EQ(SupervisorExitCode(Outcome::kCrashLoop), 12);
  EXPECT_EQ(SupervisorExitCode(Outcome::kLaunchFailed), 13);
  EXPECT_EQ(SupervisorExitCode(Outcome::kKilled), 14);
  EXPECT_EQ(ExitStatus({-1, SIGSEGV}).ToString(), "signal 11 (SIGSEGV)");
  EXPECT_EQ(ExitStatus({2, 0}).ToString(), "exit 2");
}

}  // namespace
}  // namespace agentboot::supervisor

// Recycle (stop the listener with SIGINT and launch it again, e.g. after the agent was
// registered again) and the exit decisions that do not spend the restart budget.
#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

TEST(StepRecycle, RecycleStopsWithSigintThenRelaunchesWithoutPausing) {
  StepHarness h;
  h.StartRunning(41);
  Transition stop = h.Apply(RecycleRequested{});
  EXPECT_EQ(stop.next.phase, Phase::kStopping);
  const auto* signal = FindAction<SendSignal>(stop);
  ASSERT_NE(signal, nullptr);
  EXPECT_EQ(signal->signal, SIGINT);
  Transition exited = h.ExitWith(0);
  EXPECT_EQ(CountActions<Launch>(exited), 1);
  EXPECT_EQ(exited.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Exit>(exited), 0);
}

TEST(StepRecycle, RecycleForAListenerAlreadyReplacedLeavesTheNewOneRunning) {
  StepHarness h;
  h.StartRunning(41);
  Transition ignored = h.Apply(RecycleRequested{true});
  EXPECT_EQ(ignored.next.phase, Phase::kRunning);
  EXPECT_EQ(ignored.next.pid, 41);
  EXPECT_EQ(FindAction<SendSignal>(ignored), nullptr);
  EXPECT_EQ(CountActions<Launch>(ignored), 0);
}

TEST(StepRecycle, RecycleInBackoffLaunchesNowAndIsIgnoredWhilePaused) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(2);
  ASSERT_EQ(h.state().phase, Phase::kBackoff);
  EXPECT_EQ(CountActions<Launch>(h.Apply(RecycleRequested{})), 1);
  h.Apply(ChildStarted{7});
  h.Apply(PauseRequested{});
  h.ExitWith(0);
  ASSERT_EQ(h.state().phase, Phase::kPaused);
  Transition ignored = h.Apply(RecycleRequested{});
  EXPECT_EQ(ignored.next.phase, Phase::kPaused);  // a drain or rotation holds the listener
  EXPECT_EQ(CountActions<Launch>(ignored), 0);
}

TEST(StepRecycle, RelaunchAndUncountedBackoffNeverEndInACrashLoop) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 2;
  StepHarness h(policy);
  h.StartRunning(1);
  for (int i = 0; i < 10; ++i) {
    const ExitDecision decision =
        i % 2 == 0 ? ExitDecision::kRelaunch : ExitDecision::kBackoffUncounted;
    Transition t = h.Apply(ChildExited{h.state().pid, ExitStatus{2, 0}, 0, decision});
    EXPECT_EQ(CountActions<Exit>(t), 0) << i;
    if (h.state().phase == Phase::kBackoff) h.FireDeadline();
    ASSERT_EQ(h.state().phase, Phase::kStarting) << i;
    h.Apply(ChildStarted{100 + i});
  }
  // The same failures counted end the run.
  for (int i = 0; i < 3 && h.state().phase != Phase::kDone; ++i) {
    h.ExitWith(2);
    if (h.state().phase == Phase::kBackoff) {
      h.FireDeadline();
      h.Apply(ChildStarted{200 + i});
    }
  }
  EXPECT_EQ(h.state().phase, Phase::kDone);
  EXPECT_EQ(h.state().outcome, Outcome::kCrashLoop);
}

}  // namespace
}  // namespace agentboot::supervisor

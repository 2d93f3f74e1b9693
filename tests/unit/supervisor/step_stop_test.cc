// Stopping: SIGINT to the listener, SIGKILL to its group at the kill deadline (agent-contract §4).

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

using std::chrono::seconds;

TEST(StepStop, StopSendsSigintToTheListenerOnlyAndArmsTheKillDeadline) {
  StepHarness h;
  h.StartRunning(77);
  Transition t = h.Apply(StopRequested{SIGTERM});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  const SendSignal* sent = FindAction<SendSignal>(t);
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->pid, 77);
  EXPECT_EQ(sent->signal, SIGINT);  // never SIGTERM: .NET 10 dies at once on it
  EXPECT_FALSE(sent->whole_group);
  ASSERT_TRUE(t.deadline.has_value());
  EXPECT_EQ(*t.deadline - h.now(), h.state().policy.kill_timeout);
}

TEST(StepStop, ListenerExitAfterSigintEndsAsStopped) {
  StepHarness h;
  h.StartRunning();
  h.Apply(StopRequested{SIGINT});
  Transition t = h.ExitWith(2);  // whatever it exits with, we asked it to stop: no restart
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  EXPECT_EQ(FindAction<Exit>(t)->code, 0);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepStop, KillDeadlineSendsSigkillToTheWholeGroup) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(StopRequested{SIGTERM});
  h.Advance(seconds(10));
  EXPECT_EQ(CountActions<SendSignal>(h.Apply(Timeout{})), 0);  // too early
  Transition t = h.FireDeadline();
  const SendSignal* sent = FindAction<SendSignal>(t);
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->signal, SIGKILL);
  EXPECT_TRUE(sent->whole_group);
  t = h.Apply(ChildExited{77, ExitStatus{-1, SIGKILL}, 0});
  EXPECT_EQ(t.next.outcome, Outcome::kKilled);
  EXPECT_EQ(FindAction<Exit>(t)->code, 14);
}

TEST(StepStop, SecondStopRequestKillsAtOnce) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(StopRequested{SIGTERM});
  Transition t = h.Apply(StopRequested{SIGINT});
  ASSERT_NE(FindAction<SendSignal>(t), nullptr);
  EXPECT_EQ(FindAction<SendSignal>(t)->signal, SIGKILL);
  t = h.Apply(StopRequested{SIGINT});  // a third one has nothing left to escalate
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
}

TEST(StepStop, StopWhileWaitingToRestartFinishesAtOnce) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(2);
  Transition t = h.Apply(StopRequested{SIGTERM});
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
}

TEST(StepStop, StopDuringLaunchSignalsAsSoonAsTheChildStarts) {
  StepHarness h;
  h.Apply(Start{});
  Transition t = h.Apply(StopRequested{SIGTERM});
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  t = h.Apply(ChildStarted{9});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  ASSERT_NE(FindAction<SendSignal>(t), nullptr);
  EXPECT_EQ(FindAction<SendSignal>(t)->signal, SIGINT);
}

TEST(StepStop, ListenerSurvivingSigkillStillEndsSupervision) {
  StepHarness h;
  h.StartRunning();
  h.Apply(StopRequested{SIGTERM});
  h.FireDeadline();  // SIGKILL
  Transition t = h.FireDeadline();
  EXPECT_EQ(t.next.outcome, Outcome::kKilled);
}

}  // namespace
}  // namespace agentboot::supervisor

// Pausing: the listener is stopped like for a stop, but supervision goes on in kPaused.

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

using std::chrono::seconds;

void ExpectOneSignal(const Transition& t, int pid, int signal, bool whole_group) {
  ASSERT_EQ(CountActions<SendSignal>(t), 1);
  const SendSignal* sent = FindAction<SendSignal>(t);
  EXPECT_EQ(sent->pid, pid);
  EXPECT_EQ(sent->signal, signal);
  EXPECT_EQ(sent->whole_group, whole_group);
}

bool LoggedAt(const Transition& t, LogLevel level, const std::string& message) {
  return std::any_of(t.actions.begin(), t.actions.end(), [&](const Action& a) {
    const auto* log = std::get_if<LogMessage>(&a);
    return log != nullptr && log->level == level && log->message == message;
  });
}

TEST(StepPause, PauseWhileRunningSendsSigintToTheListenerOnlyAndArmsTheKillDeadline) {
  StepHarness h;
  h.StartRunning(77);
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_TRUE(t.next.pausing);
  ExpectOneSignal(t, 77, SIGINT, false);
  ASSERT_TRUE(t.deadline.has_value());
  EXPECT_EQ(*t.deadline, h.now() + h.state().policy.kill_timeout);
  EXPECT_EQ(CountActions<Exit>(t), 0);
}

TEST(StepPause, ExitAfterPauseGoesToPausedWithoutExitOrRestartCount) {
  StepHarness h;
  h.StartRunning(77);
  h.Advance(seconds(5));
  h.Apply(PauseRequested{});
  h.Advance(seconds(2));
  Transition t = h.Apply(ChildExited{77, ExitStatus{-1, SIGINT}, 0});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Exit>(t), 0);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_FALSE(t.next.outcome.has_value());
  EXPECT_EQ(t.next.pid, 0);
  EXPECT_FALSE(t.next.pausing);
  EXPECT_EQ(t.next.consecutive_failures, 0);
  ASSERT_EQ(t.next.tally.size(), 1U);
  EXPECT_EQ(t.next.tally[0].status.signal, SIGINT);
  EXPECT_FALSE(t.next.tally[0].restarted);
  EXPECT_TRUE(LoggedAt(t, LogLevel::kInfo, "listener paused"));
}

TEST(StepPause, PauseResumeCyclesNeverSpendTheRestartBudget) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 1;
  StepHarness h(policy);
  h.StartRunning(100);
  for (int pid = 101; pid <= 105; ++pid) {
    h.Apply(PauseRequested{});
    EXPECT_EQ(h.ExitWith(2).next.phase, Phase::kPaused);
    EXPECT_EQ(CountActions<Launch>(h.Apply(ResumeRequested{})), 1);
    EXPECT_EQ(h.Apply(ChildStarted{pid}).next.phase, Phase::kRunning);
  }
  EXPECT_EQ(h.state().tally.size(), 5U);
  for (const Death& death : h.state().tally) EXPECT_FALSE(death.restarted);
  EXPECT_EQ(h.ExitWith(2).next.phase, Phase::kBackoff);  // the first real restart is still allowed
}

TEST(StepPause, PauseNeedingSigkillStillPausesWithAWarning) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  h.Advance(seconds(10));
  EXPECT_EQ(CountActions<SendSignal>(h.Apply(Timeout{})), 0);  // too early
  Transition t = h.FireDeadline();
  ExpectOneSignal(t, 77, SIGKILL, true);
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_EQ(*t.deadline, h.now() + h.state().policy.kill_timeout);
  t = h.Apply(ChildExited{77, ExitStatus{-1, SIGKILL}, 0});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Exit>(t), 0);
  EXPECT_FALSE(t.next.kill_sent);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_TRUE(LoggedAt(t, LogLevel::kWarning, "listener paused"));
}

TEST(StepPause, PauseWhileStartingWaitsForTheChildThenPauses) {
  StepHarness h;
  h.Apply(Start{});
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_TRUE(t.next.pause_pending);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  t = h.Apply(ChildStarted{9});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_TRUE(t.next.pausing);
  EXPECT_FALSE(t.next.pause_pending);
  ExpectOneSignal(t, 9, SIGINT, false);
  EXPECT_EQ(*t.deadline, h.now() + h.state().policy.kill_timeout);
  EXPECT_EQ(h.ExitWith(0).next.phase, Phase::kPaused);
}

TEST(StepPause, PauseWhileStartingThenLaunchFailurePausesAfterAnEarlierRun) {
  StepHarness h;
  h.StartRunning();
  h.Advance(seconds(5));
  h.ExitWith(2);
  h.FireDeadline();  // relaunch
  h.Apply(PauseRequested{});
  Transition t = h.Apply(LaunchFailed{"exec: Text file busy", 0});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Exit>(t), 0);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_FALSE(t.next.pause_pending);
  EXPECT_EQ(t.next.tally.size(), 1U);  // only the exit 2: the failed launch is not a restart
}

TEST(StepPause, FailedFirstLaunchIsStillALaunchFailureWhenAPauseWaits) {
  StepHarness h;
  h.Apply(Start{});
  h.Apply(PauseRequested{});
  Transition t = h.Apply(LaunchFailed{"exec: No such file or directory", 0});
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->outcome, Outcome::kLaunchFailed);
  EXPECT_EQ(FindAction<Exit>(t)->code, 13);
}

TEST(StepPause, PauseInBackoffCancelsTheRestart) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(2);
  ASSERT_EQ(h.state().phase, Phase::kBackoff);
  const TimePoint restart_at = *h.state().deadline;
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_EQ(CountActions<Launch>(t), 0);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  h.Advance(seconds(60));
  ASSERT_GT(h.now(), restart_at);
  t = h.Apply(Timeout{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepPause, PauseWhileAwaitingUpdateStopsWaiting) {
  StepHarness h;
  h.StartRunning();
  h.Advance(seconds(30));
  h.ExitWith(3);
  ASSERT_EQ(h.state().phase, Phase::kAwaitingUpdate);
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_EQ(CountActions<Launch>(t), 0);
  t = h.Apply(UpdateSwapped{true, "SelfUpdate-1.log.succeed"});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepPause, PauseBeforeStartPausesAtOnceAndStartDoesNotLaunch) {
  StepHarness h;
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_FALSE(t.deadline.has_value());
  t = h.Apply(Start{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepPause, PauseWhilePausedChangesNothing) {
  StepHarness h;
  h.StartRunning();
  h.Apply(PauseRequested{});
  h.ExitWith(0);
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  EXPECT_FALSE(t.deadline.has_value());
}

TEST(StepPause, PauseWhileStoppingDoesNotTurnTheStopIntoAPause) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(StopRequested{SIGTERM});
  const TimePoint kill_at = *h.state().deadline;
  h.Advance(seconds(1));
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_FALSE(t.next.pausing);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  EXPECT_EQ(*t.deadline, kill_at);
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  EXPECT_EQ(CountActions<Exit>(t), 1);
}

TEST(StepPause, PauseWhenDoneChangesNothing) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(0);
  Transition t = h.Apply(PauseRequested{});
  EXPECT_EQ(t.next.phase, Phase::kDone);
  EXPECT_TRUE(t.actions.empty());
}

TEST(StepPause, PausedPhaseHasAName) { EXPECT_EQ(PhaseName(Phase::kPaused), "paused"); }

}  // namespace
}  // namespace agentboot::supervisor

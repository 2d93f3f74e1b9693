// Resuming after a pause, and how stop, pause and resume combine (the latest wins; a stop always
// wins).

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

using std::chrono::seconds;

// A listener (pid 77) that was paused and has exited.
StepHarness PausedHarness(Policy policy = StepHarness::FastPolicy()) {
  StepHarness h(policy);
  h.StartRunning(77);
  h.Advance(seconds(3));
  h.Apply(PauseRequested{});
  h.ExitWith(0);
  EXPECT_EQ(h.state().phase, Phase::kPaused);
  return h;
}

TEST(StepResume, ResumeWhilePausedLaunchesANewListener) {
  StepHarness h = PausedHarness();
  h.Advance(seconds(60));
  Transition t = h.Apply(ResumeRequested{});
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Launch>(t), 1);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_TRUE(t.next.ever_started);
  t = h.Apply(ChildStarted{78});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_EQ(t.next.pid, 78);
  EXPECT_EQ(t.next.started_at, h.now());
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
}

TEST(StepResume, ResumeWhilePausingRelaunchesRightAfterTheExit) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  Transition t = h.Apply(ResumeRequested{});
  EXPECT_EQ(t.next.phase, Phase::kStopping);  // the SIGINT is already sent
  EXPECT_TRUE(t.next.resume_pending);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  h.Advance(seconds(1));
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.phase, Phase::kStarting);
  EXPECT_EQ(CountActions<Launch>(t), 1);
  EXPECT_EQ(CountActions<Exit>(t), 0);
  EXPECT_FALSE(t.deadline.has_value());
  EXPECT_FALSE(t.next.resume_pending);
  EXPECT_FALSE(t.next.pausing);
  EXPECT_FALSE(t.next.tally.back().restarted);
}

TEST(StepResume, PauseAfterResumeWhilePausingEndsPaused) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  h.Apply(ResumeRequested{});
  Transition t = h.Apply(PauseRequested{});
  EXPECT_FALSE(t.next.resume_pending);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepResume, ResumeCancelsAPauseWaitingForTheLaunch) {
  StepHarness h;
  h.Apply(Start{});
  h.Apply(PauseRequested{});
  Transition t = h.Apply(ResumeRequested{});
  EXPECT_FALSE(t.next.pause_pending);
  t = h.Apply(ChildStarted{9});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
}

TEST(StepResume, ResumeOutsideAPauseChangesNothing) {
  StepHarness h;
  h.StartRunning(77);
  Transition t = h.Apply(ResumeRequested{});
  EXPECT_EQ(t.next.phase, Phase::kRunning);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  h.ExitWith(2);
  const std::optional<TimePoint> restart_at = h.state().deadline;
  t = h.Apply(ResumeRequested{});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_EQ(t.deadline, restart_at);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepResume, ResumeWhileStoppingDoesNotCancelTheStop) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(StopRequested{SIGTERM});
  Transition t = h.Apply(ResumeRequested{});
  EXPECT_FALSE(t.next.resume_pending);
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  EXPECT_EQ(CountActions<Launch>(t), 0);
}

TEST(StepResume, StopWhilePausedEndsStoppedAtOnce) {
  StepHarness h = PausedHarness();
  Transition t = h.Apply(StopRequested{0});
  EXPECT_EQ(t.next.phase, Phase::kDone);
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->code, 0);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);
  EXPECT_FALSE(t.deadline.has_value());
}

TEST(StepResume, StopWhilePausingEndsStoppedOnExit) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  const TimePoint kill_at = *h.state().deadline;
  h.Apply(ResumeRequested{});
  Transition t = h.Apply(StopRequested{SIGTERM});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_FALSE(t.next.pausing);
  EXPECT_FALSE(t.next.resume_pending);
  EXPECT_EQ(CountActions<SendSignal>(t), 0);  // the SIGINT is on its way already
  EXPECT_EQ(*t.deadline, kill_at);
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.outcome, Outcome::kStopped);
  EXPECT_EQ(CountActions<Launch>(t), 0);
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->code, 0);
}

TEST(StepResume, SecondStopWhilePausingKillsAtOnce) {
  StepHarness h;
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  h.Apply(StopRequested{SIGTERM});
  Transition t = h.Apply(StopRequested{SIGTERM});
  ASSERT_EQ(CountActions<SendSignal>(t), 1);
  EXPECT_EQ(FindAction<SendSignal>(t)->pid, 77);
  EXPECT_EQ(FindAction<SendSignal>(t)->signal, SIGKILL);
  EXPECT_TRUE(FindAction<SendSignal>(t)->whole_group);
  t = h.Apply(ChildExited{77, ExitStatus{-1, SIGKILL}, 0});
  EXPECT_EQ(t.next.outcome, Outcome::kKilled);
}

TEST(StepResume, StopWhileAPauseWaitsForTheLaunchIsARealStop) {
  StepHarness h;
  h.Apply(Start{});
  h.Apply(PauseRequested{});
  h.Apply(StopRequested{SIGTERM});
  Transition t = h.Apply(ChildStarted{9});
  EXPECT_EQ(t.next.phase, Phase::kStopping);
  EXPECT_FALSE(t.next.pausing);
  ASSERT_EQ(CountActions<SendSignal>(t), 1);
  EXPECT_EQ(FindAction<SendSignal>(t)->signal, SIGINT);
  EXPECT_EQ(h.ExitWith(0).next.outcome, Outcome::kStopped);
}

TEST(StepResume, OnceModePauseDoesNotEndTheOneRun) {
  Policy policy = StepHarness::FastPolicy();
  policy.once = true;
  StepHarness h(policy);
  h.StartRunning(77);
  h.Apply(PauseRequested{});
  // A crash-like exit while pausing is not the --once run failing: the pause asked for it.
  Transition t = h.Apply(ChildExited{77, ExitStatus{-1, SIGINT}, 0});
  EXPECT_EQ(t.next.phase, Phase::kPaused);
  EXPECT_EQ(CountActions<Exit>(t), 0);
  t = h.Apply(ResumeRequested{});
  EXPECT_EQ(CountActions<Launch>(t), 1);
  h.Apply(ChildStarted{78});
  t = h.ExitWith(0);
  EXPECT_EQ(t.next.outcome, Outcome::kSucceeded);
}

TEST(StepResume, OnceModeStopWhilePausedEndsStopped) {
  Policy policy = StepHarness::FastPolicy();
  policy.once = true;
  StepHarness h = PausedHarness(policy);
  EXPECT_EQ(h.Apply(StopRequested{0}).next.outcome, Outcome::kStopped);
}

}  // namespace
}  // namespace agentboot::supervisor

// Back-off growth, cap, jitter, restart spacing, the crash-loop limit and the death tally.

#include <gtest/gtest.h>

#include "step_harness.h"

namespace agentboot::supervisor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Crashes the running listener at once and returns the delay until the relaunch.
Duration CrashAndRelaunch(StepHarness& h, int pid, double jitter = 0) {
  Transition t = h.ExitWith(2, jitter);
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  const Duration delay = std::chrono::duration_cast<Duration>(*t.deadline - h.now());
  t = h.FireDeadline();
  EXPECT_EQ(CountActions<Launch>(t), 1);
  h.Apply(ChildStarted{pid});
  return delay;
}

TEST(StepBackoff, DoublesFromOneSecondAndCapsAtSixtySeconds) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 100;
  StepHarness h(policy);
  h.StartRunning(1);
  std::vector<Duration> delays;
  for (int i = 0; i < 9; ++i) delays.push_back(CrashAndRelaunch(h, 2 + i));
  const std::vector<Duration> expected = {seconds(1),  seconds(2),  seconds(4),
                                          seconds(8),  seconds(16), seconds(32),
                                          seconds(60), seconds(60), seconds(60)};
  EXPECT_EQ(delays, expected);
}

TEST(StepBackoff, JitterStretchesTheDelayButNeverPastTheCap) {
  Policy policy;
  policy.jitter_ratio = 0.5;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0), seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 1, 1.0), milliseconds(1500));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.5), seconds(5));
  EXPECT_EQ(BackoffDelay(policy, 7, 1.0), seconds(60));
  EXPECT_EQ(BackoffDelay(policy, 1000, 1.0), seconds(60));  // no overflow
}

TEST(StepBackoff, JitterComesFromTheEvent) {
  Policy policy = StepHarness::FastPolicy();
  policy.jitter_ratio = 0.5;
  StepHarness h(policy);
  h.StartRunning();
  h.Advance(seconds(10));
  Transition t = h.ExitWith(2, 1.0);
  EXPECT_EQ(*t.deadline - h.now(), milliseconds(1500));
}

TEST(StepBackoff, RestartsAreAtLeastTheMinimumSpacingApart) {
  Policy policy = StepHarness::FastPolicy();
  policy.initial_backoff = milliseconds(10);
  policy.min_restart_spacing = seconds(1);
  StepHarness h(policy);
  h.StartRunning();
  h.Advance(milliseconds(200));  // crashed 200 ms after its launch
  Transition t = h.ExitWith(2);
  // 10 ms of back-off would relaunch 210 ms after the last launch; spacing wins.
  EXPECT_EQ(*t.deadline - h.now(), milliseconds(800));
}

TEST(StepBackoff, AStableRunResetsTheBackoff) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 100;
  StepHarness h(policy);
  h.StartRunning(1);
  CrashAndRelaunch(h, 2);
  CrashAndRelaunch(h, 3);
  EXPECT_EQ(h.state().consecutive_failures, 2);
  h.Advance(policy.stable_after);
  Transition t = h.ExitWith(2);
  EXPECT_EQ(t.next.consecutive_failures, 1);
  EXPECT_EQ(*t.deadline - h.now(), seconds(1));
}

TEST(StepBackoff, SixthCrashWithinTenMinutesEndsInCrashLoop) {
  StepHarness h;
  h.StartRunning(1);
  for (int i = 0; i < 5; ++i) CrashAndRelaunch(h, 2 + i);  // 5 restarts, ~31 s in total
  Transition t = h.ExitWith(2);
  EXPECT_EQ(t.next.phase, Phase::kDone);
  ASSERT_NE(FindAction<Exit>(t), nullptr);
  EXPECT_EQ(FindAction<Exit>(t)->outcome, Outcome::kCrashLoop);
  EXPECT_EQ(FindAction<Exit>(t)->code, 12);
  const LogMessage* log = nullptr;
  for (const auto& a : t.actions) {
    if (auto* m = std::get_if<LogMessage>(&a); m && m->level == LogLevel::kError) log = m;
  }
  ASSERT_NE(log, nullptr);
  bool has_advice = false;
  for (const auto& f : log->fields) has_advice |= f.key == "advice" && !f.value.empty();
  EXPECT_TRUE(has_advice);
}

TEST(StepBackoff, CrashesOutsideTheWindowDoNotCount) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 2;
  StepHarness h(policy);
  h.StartRunning(1);
  CrashAndRelaunch(h, 2);
  CrashAndRelaunch(h, 3);
  h.Advance(policy.restart_window + seconds(1));
  Transition t = h.ExitWith(2);
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
}

TEST(StepBackoff, TallyKeepsTheLastDeathsWithTimes) {
  Policy policy = StepHarness::FastPolicy();
  policy.max_restarts = 100;
  policy.tally_size = 3;
  StepHarness h(policy);
  h.StartRunning(1);
  for (int i = 0; i < 4; ++i) CrashAndRelaunch(h, 2 + i);
  const TimePoint before = h.now();
  h.Apply(ChildExited{5, ExitStatus{-1, SIGABRT}, 0});
  const auto& tally = h.state().tally;
  ASSERT_EQ(tally.size(), 3U);
  EXPECT_EQ(tally.back().status.signal, SIGABRT);
  EXPECT_EQ(tally.back().at, before);
  EXPECT_LT(tally.front().at, tally.back().at);
}

TEST(StepBackoff, TimeoutBeforeTheDeadlineChangesNothing) {
  StepHarness h;
  h.StartRunning();
  h.ExitWith(2);
  Transition t = h.Apply(Timeout{});
  EXPECT_EQ(t.next.phase, Phase::kBackoff);
  EXPECT_TRUE(t.actions.empty());
}

}  // namespace
}  // namespace agentboot::supervisor

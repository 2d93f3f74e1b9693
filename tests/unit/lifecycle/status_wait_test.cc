// What `agentboot rotate` and `agentboot drain` conclude from the status file, on a FakeClock:
// the status changes at virtual times, nothing sleeps.
#include <map>

#include <gtest/gtest.h>

#include "agentboot/lifecycle_status.h"

#include "lifecycle_fakes.h"

namespace agentboot::lifecycle::testing {
namespace {

using std::chrono::seconds;

constexpr int kPid = 4242;

class StatusWait : public ::testing::Test {
 protected:
  // The status the reader sees from `at` on (nullopt: no file).
  void At(Duration at, std::optional<RunStatus> status) { script_[t0_ + at] = std::move(status); }
  StatusReader Reader() {
    return [this]() -> std::optional<RunStatus> {
      ++reads_;
      std::optional<RunStatus> seen;
      for (const auto& [when, status] : script_) {
        if (when <= clock_.Now()) seen = status;
      }
      return seen;
    };
  }
  AliveCheck Alive() {
    return [this] { return !ended_at_ || clock_.Now() < t0_ + *ended_at_; };
  }
  // A running agentboot whose listener was launched with key generation `listener_generation`.
  static RunStatus Running(int generation, int listener_generation, int listener_pid = 100) {
    RunStatus status;
    status.agentboot_pid = kPid;
    status.phase = RunPhase::kRunning;
    status.listener = {listener_pid, "running", 1, listener_generation};
    status.rotation.generation = generation;
    return status;
  }
  static RunStatus Finished(RunStatus status, int attempt, std::string result,
                            std::string error = "") {
    status.rotation.attempt = attempt;
    status.rotation.finished_attempt = attempt;
    status.rotation.last_result = std::move(result);
    status.rotation.last_error = std::move(error);
    return status;
  }
  WaitResult Rotation(int baseline, Duration budget = seconds(60)) {
    return WaitForRotation(clock_, Reader(), Alive(), kPid, baseline, t0_ + budget);
  }
  Duration Elapsed() { return std::chrono::duration_cast<Duration>(clock_.Now() - t0_); }

  agentboot::testing::FakeClock clock_;
  const TimePoint t0_ = clock_.Now();
  std::map<TimePoint, std::optional<RunStatus>> script_;
  std::optional<Duration> ended_at_;
  int reads_ = 0;
};

TEST_F(StatusWait, RotationSucceedsOnlyOnceTheListenerRunsWithTheNewKey) {
  At(seconds(0), Running(0, 0));
  RunStatus rotating = Running(0, 0, 0);
  rotating.rotation.attempt = 1;
  rotating.rotation.step = "rotating";
  rotating.phase = RunPhase::kRotating;
  At(seconds(5), rotating);
  // The key is in place and the rotation reported, but the listener is not relaunched yet.
  RunStatus rotated = Finished(Running(1, 0, 0), 1, "rotated");
  rotated.listener.phase = "starting";
  At(seconds(8), rotated);
  At(seconds(9), Finished(Running(1, 1, 101), 1, "rotated"));
  const auto result = Rotation(0);
  EXPECT_EQ(result.outcome, WaitOutcome::kDone) << result.detail;
  EXPECT_EQ(Elapsed(), seconds(9));
  EXPECT_NE(result.detail.find("relaunched"), std::string::npos) << result.detail;
  EXPECT_NE(result.detail.find("pid 101"), std::string::npos) << result.detail;
}

TEST_F(StatusWait, AnEarlierRotationDoesNotCountForALaterRequest) {
  // The run had rotated once before (attempt 1); this request is attempt 2.
  At(seconds(0), Finished(Running(1, 1), 1, "rotated"));
  At(seconds(4), Finished(Running(2, 2, 102), 2, "rotated"));
  const int baseline = RotationBaseline(Finished(Running(1, 1), 1, "rotated"), kPid);
  EXPECT_EQ(baseline, 1);
  EXPECT_EQ(Rotation(baseline).outcome, WaitOutcome::kDone);
  EXPECT_EQ(Elapsed(), seconds(4));
}

TEST_F(StatusWait, ARotationInProgressAtTheSignalIsNotTheOneAskedFor) {
  RunStatus in_progress = Running(0, 0);
  in_progress.rotation.attempt = 1;
  in_progress.rotation.step = "waiting idle";
  const int baseline = RotationBaseline(in_progress, kPid);
  At(seconds(0), in_progress);
  At(seconds(3), Finished(Running(1, 1, 101), 1, "rotated"));  // the one already running
  At(seconds(7), Finished(Running(2, 2, 102), 2, "rotated"));  // ours, queued behind it
  EXPECT_EQ(Rotation(baseline).outcome, WaitOutcome::kDone);
  EXPECT_EQ(Elapsed(), seconds(7));
}

TEST_F(StatusWait, APostponedRotationIsReportedWithItsReason) {
  At(seconds(0), Running(0, 0));
  At(seconds(2), Finished(Running(0, 0), 1, "busy", "a job is still running"));
  const auto result = Rotation(0);
  EXPECT_EQ(result.outcome, WaitOutcome::kRefused);
  EXPECT_EQ(result.detail, "the rotation was postponed: a job is still running");
  EXPECT_EQ(Elapsed(), seconds(2));
}

TEST_F(StatusWait, AFailedRotationIsReportedWithItsReason) {
  At(seconds(0), Finished(Running(0, 0), 1, "failed", "PUT .../agents/7: HTTP 500"));
  const auto result = Rotation(0);
  EXPECT_EQ(result.outcome, WaitOutcome::kRefused);
  EXPECT_EQ(result.detail, "the rotation failed: PUT .../agents/7: HTTP 500");
}

TEST_F(StatusWait, ANewKeyWithoutARelaunchBeforeTheRunStopsIsNoSuccess) {
  RunStatus stopping = Finished(Running(1, 0, 0), 1, "rotated");
  stopping.phase = RunPhase::kDraining;
  At(seconds(0), stopping);
  const auto result = Rotation(0);
  EXPECT_EQ(result.outcome, WaitOutcome::kEnded);
  EXPECT_NE(result.detail.find("not relaunched"), std::string::npos) << result.detail;
}

TEST_F(StatusWait, AStatusOfAnotherProcessIsIgnored) {
  RunStatus stale = Finished(Running(1, 1), 1, "rotated");
  stale.agentboot_pid = kPid + 1;  // an earlier run's file
  At(seconds(0), stale);
  EXPECT_EQ(RotationBaseline(stale, kPid), 0);
  const auto result = Rotation(0, seconds(10));
  EXPECT_EQ(result.outcome, WaitOutcome::kTimedOut);
  EXPECT_NE(result.detail.find("wrote no status file"), std::string::npos) << result.detail;
  EXPECT_EQ(Elapsed(), seconds(10));
  EXPECT_EQ(reads_, 51);  // every 200 ms, on the fake clock
}

TEST_F(StatusWait, ARotationStillWaitingForAJobTimesOutNamingItsStep) {
  RunStatus waiting = Running(0, 0);
  waiting.rotation.attempt = 1;
  waiting.rotation.step = "waiting idle";
  At(seconds(0), waiting);
  const auto result = Rotation(0, seconds(30));
  EXPECT_EQ(result.outcome, WaitOutcome::kTimedOut);
  EXPECT_NE(result.detail.find("waiting idle"), std::string::npos) << result.detail;
}

TEST_F(StatusWait, TheRunEndingBeforeTheRotationIsReported) {
  At(seconds(0), Running(0, 0));
  ended_at_ = seconds(3);
  EXPECT_EQ(Rotation(0).outcome, WaitOutcome::kEnded);
  EXPECT_EQ(Elapsed(), seconds(3));
}

TEST_F(StatusWait, ADrainEndsWhenTheProcessDoesAndReportsItsOutcome) {
  RunStatus draining = Running(0, 0);
  draining.drain.state = DrainState::kDraining;
  draining.drain.step = "waiting idle";
  draining.drain.finish_by = t0_ + seconds(600);
  At(seconds(0), draining);
  RunStatus drained = draining;
  drained.phase = RunPhase::kStopped;
  drained.drain = {DrainState::kFinished,
                   "SIGTERM",
                   "done",
                   std::nullopt,
                   std::nullopt,
                   true,
                   "removed",
                   false,
                   ""};
  At(seconds(40), drained);
  ended_at_ = seconds(41);
  // The budget of 10 s is moved to the run's own finish_by (+ the margin).
  const auto result = WaitForDrain(clock_, Reader(), Alive(), kPid, t0_ + seconds(10), false);
  EXPECT_EQ(result.outcome, WaitOutcome::kDone) << result.detail;
  EXPECT_EQ(Elapsed(), seconds(41) + std::chrono::milliseconds(0));
  ASSERT_TRUE(result.last);
  EXPECT_EQ(result.last->drain.cleanup, "removed");
}

TEST_F(StatusWait, ADrainWithProblemsIsReported) {
  RunStatus drained = Running(0, 0);
  drained.drain = {DrainState::kFinished,
                   "SIGTERM",
                   "done",
                   std::nullopt,
                   std::nullopt,
                   false,
                   "failed",
                   false,
                   "DELETE agent: HTTP 503"};
  At(seconds(0), drained);
  ended_at_ = seconds(1);
  const auto result = WaitForDrain(clock_, Reader(), Alive(), kPid, t0_ + seconds(60), false);
  EXPECT_EQ(result.outcome, WaitOutcome::kRefused);
  EXPECT_EQ(result.detail, "the drain finished with problems: DELETE agent: HTTP 503");
}

TEST_F(StatusWait, AFixedWaitIsNotMovedByTheStatus) {
  RunStatus draining = Running(0, 0);
  draining.drain.state = DrainState::kDraining;
  draining.drain.step = "waiting idle";
  draining.drain.finish_by = t0_ + seconds(600);
  At(seconds(0), draining);
  const auto result = WaitForDrain(clock_, Reader(), Alive(), kPid, t0_ + seconds(10), true);
  EXPECT_EQ(result.outcome, WaitOutcome::kTimedOut);
  EXPECT_EQ(Elapsed(), seconds(10));
  EXPECT_NE(result.detail.find("(step: waiting idle)"), std::string::npos) << result.detail;
}

TEST_F(StatusWait, ADrainOfARunThatWroteNoStatusStillEndsWithTheProcess) {
  ended_at_ = seconds(2);  // stopped before its listener started: no status yet
  const auto result = WaitForDrain(clock_, Reader(), Alive(), kPid, t0_ + seconds(60), false);
  EXPECT_EQ(result.outcome, WaitOutcome::kDone);
  EXPECT_FALSE(result.last);
}

}  // namespace
}  // namespace agentboot::lifecycle::testing

#include <gtest/gtest.h>

#include "lifecycle_fakes.h"

namespace agentboot::lifecycle::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class Rotation : public ::testing::Test {
 protected:
  Rotation() {
    agent_.journal = &journal_;
    listener_.journal = &journal_;
  }
  std::optional<DrainReport> Run() {
    callbacks_.on_rotation_finished = [&](RotationResult r) { results_.push_back(r); };
    Controller controller(fake_.env, mailbox_, agent_, listener_, policy_, callbacks_);
    return controller.Run();
  }
  agentboot::testing::FakeEnv fake_;
  TimePoint t0_ = fake_.clock.Now();
  FakeMailbox mailbox_{fake_.clock};
  FakeAgent agent_{fake_.clock};
  FakeListener listener_{fake_.clock, mailbox_};
  Policy policy_;
  Callbacks callbacks_;
  std::vector<RotationResult> results_;
  std::vector<std::string> journal_;
};

TEST_F(Rotation, OnRequestTheListenerIsDownWhileTheKeyChanges) {
  mailbox_.Post(RotateRequest{"agentboot rotate"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(Run());
  EXPECT_EQ(results_, std::vector<RotationResult>{RotationResult::kRotated});
  // Disable, (idle), pause, rotate once the pause is confirmed, resume, enable.
  EXPECT_EQ(journal_, (std::vector<std::string>{"disable", "pause", "rotate", "resume", "enable"}));
  EXPECT_GE(*agent_.FirstOk("rotate"), *listener_.When("pause") + listener_.stop_delay);
  EXPECT_EQ(agent_.key_generation, 2);
  EXPECT_TRUE(agent_.enabled);
}

TEST_F(Rotation, ABusyAgentIsNeverInterruptedAndTheRotationIsPostponed) {
  policy_.drain_timeout = minutes(5);
  agent_.busy_until = t0_ + hours(2);
  mailbox_.Post(RotateRequest{"agentboot rotate"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(Run());
  EXPECT_EQ(results_, std::vector<RotationResult>{RotationResult::kBusy});
  EXPECT_EQ(journal_, (std::vector<std::string>{"disable", "enable"}));
  EXPECT_EQ(agent_.key_generation, 1);
  EXPECT_TRUE(agent_.enabled);
}

TEST_F(Rotation, OnAScheduleEveryPeriod) {
  policy_.rotate_every = hours(1);
  mailbox_.At(t0_ + hours(3) + minutes(30), ListenerEnded{});
  EXPECT_FALSE(Run());
  EXPECT_EQ(results_.size(), 3u);
  EXPECT_EQ(agent_.key_generation, 4);
  EXPECT_EQ(listener_.commands.size(), 6u);  // pause + resume, three times
}

TEST_F(Rotation, AFailedRotationRelaunchesWithTheOldKeyAndRetriesSooner) {
  policy_.rotate_every = hours(24);
  policy_.rotate_retry = minutes(10);
  policy_.cleanup_timeout = minutes(2);
  agent_.Outage(t0_ + hours(24) + seconds(1), t0_ + hours(24) + minutes(5));
  mailbox_.At(t0_ + hours(24) + minutes(20), ListenerEnded{});
  EXPECT_FALSE(Run());
  ASSERT_EQ(results_.size(), 2u);
  EXPECT_EQ(results_[0], RotationResult::kFailed);
  EXPECT_EQ(results_[1], RotationResult::kRotated);
  EXPECT_EQ(agent_.key_generation, 2);
  EXPECT_TRUE(fake_.log.Contains("key rotation failed; the old key stays"));
  // The failed attempt still relaunched the listener and enabled the agent again.
  EXPECT_EQ(listener_.commands[1].second, "resume");
}

TEST_F(Rotation, ADrainDuringTheIdleWaitTakesOver) {
  agent_.busy_until = t0_ + minutes(3);
  mailbox_.Post(RotateRequest{"agentboot rotate"});
  mailbox_.At(t0_ + minutes(1), DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(results_, std::vector<RotationResult>{RotationResult::kInterrupted});
  EXPECT_EQ(agent_.key_generation, 1);
  EXPECT_FALSE(listener_.When("pause"));
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
  EXPECT_FALSE(report->job_cancelled);
}

TEST_F(Rotation, ADrainDuringThePauseWaitsForTheRotationToFinish) {
  listener_.stop_delay = seconds(5);
  mailbox_.Post(RotateRequest{"agentboot rotate"});
  mailbox_.At(t0_ + seconds(2), DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(results_, std::vector<RotationResult>{RotationResult::kRotated});
  EXPECT_EQ(agent_.key_generation, 2);
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
}

TEST_F(Rotation, TheListenerEndingMidRotationLeavesTheAgentEnabled) {
  agent_.busy_until = t0_ + hours(1);
  mailbox_.Post(RotateRequest{"agentboot rotate"});
  mailbox_.At(t0_ + minutes(1), ListenerEnded{});
  EXPECT_FALSE(Run());
  EXPECT_EQ(results_, std::vector<RotationResult>{RotationResult::kInterrupted});
  EXPECT_TRUE(agent_.enabled);
}

}  // namespace
}  // namespace agentboot::lifecycle::testing

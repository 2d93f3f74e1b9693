// The named steps of the drain and the rotation, as Callbacks::on_step reports them, and the
// reasons a rotation gives.
#include <algorithm>

#include <gtest/gtest.h>

#include "lifecycle_fakes.h"

namespace agentboot::lifecycle::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// The server takes writes but never says whether a job is assigned.
class NoJobAnswers final : public AgentControl {
 public:
  explicit NoJobAnswers(FakeAgent& inner) : inner_(inner) {}
  Status SetEnabled(bool enabled) override { return inner_.SetEnabled(enabled); }
  Result<bool> HasAssignedJob() override {
    return Fail(ErrorCode::kUnavailable, "GET agent", "HTTP 503");
  }
  Status Remove() override { return inner_.Remove(); }
  Status RotateKey() override { return inner_.RotateKey(); }

 private:
  FakeAgent& inner_;
};

class Steps : public ::testing::Test {
 protected:
  Steps() {
    agent_.journal = &journal_;
    listener_.journal = &journal_;
    callbacks_.on_step = [this](const Progress& p) {
      steps_.push_back(std::string(SequenceName(p.sequence)) + ":" + std::string(StepName(p.step)));
      progress_.push_back(p);
    };
    callbacks_.on_key_rotated = [this] { journal_.push_back("key in place"); };
    callbacks_.on_rotation_report = [this](const RotationReport& r) { reports_.push_back(r); };
  }
  Controller MakeController() {
    return Controller(fake_.env, mailbox_, agent_, listener_, policy_, callbacks_);
  }
  Controller WithoutJobAnswers() {
    return Controller(fake_.env, mailbox_, no_answers_, listener_, policy_, callbacks_);
  }
  Duration Since(TimePoint t) const { return std::chrono::duration_cast<Duration>(t - t0_); }

  agentboot::testing::FakeEnv fake_;
  TimePoint t0_ = fake_.clock.Now();
  FakeMailbox mailbox_{fake_.clock};
  FakeAgent agent_{fake_.clock};
  NoJobAnswers no_answers_{agent_};
  FakeListener listener_{fake_.clock, mailbox_};
  Policy policy_;
  Callbacks callbacks_;
  std::vector<std::string> journal_;
  std::vector<std::string> steps_;
  std::vector<Progress> progress_;
  std::vector<RotationReport> reports_;
};

TEST_F(Steps, ADrainGoesThroughEveryStepInOrderWithItsDeadlines) {
  policy_.drain_timeout = minutes(10);
  policy_.listener_stop_timeout = seconds(150);
  policy_.cleanup_timeout = minutes(5);
  callbacks_.acknowledge_events = [](const std::vector<std::string>&) { return Status{}; };
  mailbox_.Post(DrainRequest{"scheduled event Terminate", t0_ + hours(1), {"EV-1"}});
  ASSERT_TRUE(MakeController().Run());
  EXPECT_EQ(steps_,
            (std::vector<std::string>{"drain:disabling", "drain:waiting idle", "drain:stopping",
                                      "drain:cleaning", "drain:acknowledging", "drain:done"}));
  ASSERT_TRUE(progress_[0].deadline);
  EXPECT_EQ(*progress_[0].deadline, t0_ + minutes(10));
  // The latest end: the deadline, the listener's stop, the cleanup and 30 s to acknowledge.
  EXPECT_EQ(*progress_[0].finish_by, t0_ + minutes(10) + seconds(150) + minutes(5) + seconds(30));
}

TEST_F(Steps, ALaterEventShortensTheReportedDeadline) {
  policy_.drain_timeout = minutes(10);
  policy_.event_margin = seconds(15);
  agent_.busy_until = t0_ + hours(1);
  callbacks_.acknowledge_events = [](const std::vector<std::string>&) { return Status{}; };
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  mailbox_.At(t0_ + seconds(20), DrainRequest{"scheduled event Preempt", t0_ + seconds(50), {"P"}});
  ASSERT_TRUE(MakeController().Run());
  ASSERT_GE(progress_.size(), 3u);
  EXPECT_EQ(*progress_[0].deadline, t0_ + minutes(10));
  EXPECT_EQ(*progress_[2].deadline, t0_ + seconds(35));  // stopping, after the event came
}

TEST_F(Steps, ADrainWithoutAListenerHasNoStoppingStep) {
  MakeController().DrainWithoutListener({"agentboot drain", std::nullopt, {}});
  EXPECT_EQ(steps_,
            (std::vector<std::string>{"drain:disabling", "drain:waiting idle", "drain:cleaning",
                                      "drain:acknowledging", "drain:done"}));
}

TEST_F(Steps, AnUnansweredIdleQuestionIsReportedAsUnconfirmedNotAsACancelledJob) {
  policy_.drain_timeout = minutes(2);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  const auto report = WithoutJobAnswers().Run();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->idle_unconfirmed);
  EXPECT_FALSE(report->job_cancelled);
  EXPECT_TRUE(fake_.log.Contains("could not confirm that no job is running"));
  EXPECT_TRUE(fake_.log.Contains(" drain_cancelled_job=unknown ")) << fake_.log.AllText();
  EXPECT_EQ(Since(*listener_.When("stop")), minutes(2));
}

TEST_F(Steps, ARotationGoesThroughEveryStepAndPutsTheKeyInPlaceBeforeTheResume) {
  mailbox_.Post(RotateRequest{"SIGUSR1"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(MakeController().Run());
  EXPECT_EQ(steps_,
            (std::vector<std::string>{"rotation:disabling", "rotation:waiting idle",
                                      "rotation:pausing", "rotation:rotating", "rotation:resuming",
                                      "rotation:enabling", "rotation:done"}));
  EXPECT_EQ(journal_, (std::vector<std::string>{"disable", "pause", "rotate", "key in place",
                                                "resume", "enable"}));
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].result, RotationResult::kRotated);
  EXPECT_FALSE(reports_[0].error);
}

TEST_F(Steps, APostponedRotationSaysAJobIsRunning) {
  policy_.drain_timeout = minutes(5);
  agent_.busy_until = t0_ + hours(2);
  mailbox_.Post(RotateRequest{"SIGUSR1"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(MakeController().Run());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].result, RotationResult::kBusy);
  ASSERT_TRUE(reports_[0].error);
  EXPECT_EQ(reports_[0].error->detail, "a job is still running");
  EXPECT_EQ(std::count(journal_.begin(), journal_.end(), "key in place"), 0);
}

TEST_F(Steps, ARotationThatCannotAskTheServerSaysSo) {
  policy_.drain_timeout = minutes(5);
  mailbox_.Post(RotateRequest{"SIGUSR1"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(WithoutJobAnswers().Run());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].result, RotationResult::kBusy);
  EXPECT_EQ(reports_[0].error->detail, "the server could not say whether a job is running");
  EXPECT_FALSE(listener_.When("pause"));
  EXPECT_TRUE(agent_.enabled);  // in service again
  EXPECT_TRUE(fake_.log.Contains("cannot tell whether a job is running"));
}

TEST_F(Steps, AFailedKeyRotationGivesTheServersError) {
  policy_.cleanup_timeout = minutes(2);
  listener_.stop_delay = seconds(2);
  agent_.Outage(t0_ + seconds(1), t0_ + minutes(5));  // from the pause on
  mailbox_.Post(RotateRequest{"SIGUSR1"});
  mailbox_.At(t0_ + hours(1), ListenerEnded{});
  EXPECT_FALSE(MakeController().Run());
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].result, RotationResult::kFailed);
  ASSERT_TRUE(reports_[0].error);
  EXPECT_EQ(reports_[0].error->code, ErrorCode::kUnavailable);
  EXPECT_EQ(listener_.When("resume").has_value(), true);  // relaunched with the old key
}

}  // namespace
}  // namespace agentboot::lifecycle::testing

#include <gtest/gtest.h>

#include "lifecycle_fakes.h"

namespace agentboot::lifecycle::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class Drain : public ::testing::Test {
 protected:
  Drain() { listener_.stop_delay = seconds(2); }

  std::optional<DrainReport> Run() {
    Controller controller(fake_.env, mailbox_, agent_, listener_, policy_, callbacks_);
    return controller.Run();
  }
  Duration Since(TimePoint t) const { return std::chrono::duration_cast<Duration>(t - t0_); }

  agentboot::testing::FakeEnv fake_;
  TimePoint t0_ = fake_.clock.Now();
  FakeMailbox mailbox_{fake_.clock};
  FakeAgent agent_{fake_.clock};
  FakeListener listener_{fake_.clock, mailbox_};
  Policy policy_;
  Callbacks callbacks_;
};

TEST_F(Drain, AJobThatFitsTheTimeoutFinishesBeforeTheListenerStops) {
  policy_.drain_timeout = minutes(10);
  policy_.poll_interval = seconds(5);
  agent_.busy_until = t0_ + seconds(62);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(Since(*agent_.FirstOk("disable")), Duration(0));
  // The first poll after the job ended (polls at 0, 5, ..., 65 s).
  ASSERT_TRUE(listener_.When("stop"));
  EXPECT_EQ(Since(*listener_.When("stop")), seconds(65));
  EXPECT_EQ(Since(*agent_.FirstOk("remove")), seconds(67));  // after the listener ended
  EXPECT_FALSE(report->job_cancelled);
  EXPECT_TRUE(report->disabled);
  EXPECT_TRUE(report->listener_stopped);
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->duration, seconds(67));
  EXPECT_TRUE(agent_.removed);
  EXPECT_FALSE(fake_.log.Contains("JOB CANCELLED"));
  EXPECT_TRUE(fake_.log.Contains("drain finished reason=SIGTERM duration=")) << fake_.log.AllText();
  EXPECT_TRUE(fake_.log.Contains(" drain_cancelled_job=false ")) << fake_.log.AllText();
}

TEST_F(Drain, AJobLongerThanTheTimeoutIsCancelledAndTheReportSaysSo) {
  policy_.drain_timeout = minutes(5);
  agent_.busy_until = t0_ + hours(1);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(Since(*listener_.When("stop")), minutes(5));
  EXPECT_TRUE(report->job_cancelled);
  EXPECT_TRUE(fake_.log.Contains("JOB CANCELLED: the drain deadline came while a job was still"));
  EXPECT_TRUE(fake_.log.Contains("drain finished reason=SIGTERM duration=")) << fake_.log.AllText();
  EXPECT_TRUE(fake_.log.Contains(" drain_cancelled_job=true ")) << fake_.log.AllText();
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
}

TEST_F(Drain, ASecondStopSignalSkipsToStoppingTheListener) {
  agent_.busy_until = t0_ + hours(1);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  mailbox_.At(t0_ + seconds(31), Hurry{});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(Since(*listener_.When("stop")), seconds(31));
  EXPECT_TRUE(report->job_cancelled);
  EXPECT_TRUE(fake_.log.Contains("a second stop signal"));
}

TEST_F(Drain, AScheduledEventStopsBeforeNotBeforeAndIsAcknowledgedAfterTheDelete) {
  policy_.drain_timeout = minutes(10);
  policy_.event_margin = seconds(15);
  agent_.busy_until = t0_ + hours(1);
  std::vector<std::pair<TimePoint, std::vector<std::string>>> acks;
  callbacks_.acknowledge_events = [&](const std::vector<std::string>& ids) {
    acks.emplace_back(fake_.clock.Now(), ids);
    return Status{};
  };
  const TimePoint not_before = t0_ + minutes(5);
  mailbox_.Post(DrainRequest{"scheduled event Terminate", not_before, {"EV-1"}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(Since(*listener_.When("stop")), minutes(5) - seconds(15));
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].second, std::vector<std::string>{"EV-1"});
  EXPECT_GT(acks[0].first, *agent_.FirstOk("remove") - Duration(1));
  EXPECT_LT(acks[0].first, not_before);
  EXPECT_EQ(report->acknowledged, std::vector<std::string>{"EV-1"});
  EXPECT_TRUE(report->ok());
}

TEST_F(Drain, ALaterEventJoinsTheDrainAndShortensItsDeadline) {
  policy_.drain_timeout = minutes(10);
  policy_.event_margin = seconds(15);
  agent_.busy_until = t0_ + hours(1);
  std::vector<std::string> acked;
  callbacks_.acknowledge_events = [&](const std::vector<std::string>& ids) {
    acked = ids;
    return Status{};
  };
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  mailbox_.At(t0_ + seconds(20), DrainRequest{"scheduled event Preempt", t0_ + seconds(50), {"P"}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(Since(*listener_.When("stop")), seconds(35));
  EXPECT_EQ(acked, std::vector<std::string>{"P"});
}

TEST_F(Drain, AListenerThatEndsByItselfIsNotStopped) {
  agent_.busy_until = t0_ + seconds(40);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  // --once: the job ended and so did the listener, before the server stopped showing the job.
  mailbox_.At(t0_ + seconds(37), ListenerEnded{});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_FALSE(listener_.When("stop"));
  EXPECT_FALSE(report->job_cancelled);
  EXPECT_TRUE(report->listener_stopped);
  EXPECT_EQ(Since(*agent_.FirstOk("remove")), seconds(37));
  // The drain stopped nothing, so it cancelled nothing (what the listener did is not its to say).
  EXPECT_TRUE(fake_.log.Contains("drain finished reason=SIGTERM duration=")) << fake_.log.AllText();
  EXPECT_TRUE(fake_.log.Contains(" drain_cancelled_job=false ")) << fake_.log.AllText();
}

TEST_F(Drain, ATwoHourIdentityOutageLosesNeitherTheJobNorTheAgent) {
  policy_.drain_timeout = hours(3);
  policy_.retry_max = seconds(30);
  agent_.Outage(t0_, t0_ + hours(2));
  agent_.busy_until = t0_ + minutes(30);
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  const auto disabled = agent_.FirstOk("disable");
  ASSERT_TRUE(disabled);
  EXPECT_GE(Since(*disabled), hours(2));
  EXPECT_LT(Since(*disabled), hours(2) + seconds(37));  // back-off capped at 30 s (+20 % jitter)
  EXPECT_FALSE(report->job_cancelled);
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
  EXPECT_TRUE(report->ok());
  int failures = 0;
  for (const auto& call : agent_.calls) failures += call.ok ? 0 : 1;
  EXPECT_GT(failures, 200);  // it kept trying...
  EXPECT_LT(failures, 260);  // ...without hammering the server
}

TEST_F(Drain, AnOutageAfterTheListenerStoppedIsRetriedUntilTheDeleteWorks) {
  policy_.cleanup_timeout = minutes(5);
  agent_.busy_until = t0_;
  agent_.Outage(t0_ + seconds(1), t0_ + minutes(3));
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
  EXPECT_GE(Since(*agent_.FirstOk("remove")), minutes(3));
}

TEST_F(Drain, ADeleteThatNeverWorksIsReportedAsFailed) {
  policy_.cleanup_timeout = minutes(5);
  agent_.Outage(t0_ + seconds(1), t0_ + hours(5));
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->cleanup, Cleanup::kFailed);
  ASSERT_TRUE(report->cleanup_error);
  EXPECT_EQ(report->cleanup_error->code, ErrorCode::kUnavailable);
  EXPECT_FALSE(report->ok());
  EXPECT_FALSE(agent_.removed);
}

TEST_F(Drain, KeepRegistrationReEnablesInsteadOfDeleting) {
  policy_.keep_registration = true;
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->cleanup, Cleanup::kReenabled);
  EXPECT_FALSE(agent_.removed);
  EXPECT_TRUE(agent_.enabled);
  EXPECT_EQ(agent_.Count("disable"), 1);
  EXPECT_EQ(agent_.Count("enable"), 1);
}

TEST_F(Drain, WithoutAListenerABusyAgentIsLeftDisabledNotDeleted) {
  policy_.drain_timeout = minutes(2);
  agent_.busy_until = t0_ + hours(1);
  Controller controller(fake_.env, mailbox_, agent_, listener_, policy_, callbacks_);
  auto report = controller.DrainWithoutListener(DrainRequest{"agentboot drain", std::nullopt, {}});
  EXPECT_EQ(report.cleanup, Cleanup::kFailed);
  EXPECT_FALSE(agent_.enabled);
  EXPECT_EQ(agent_.Count("remove"), 0);
  EXPECT_TRUE(listener_.commands.empty());
}

TEST_F(Drain, WithoutAListenerAnIdleAgentIsDeleted) {
  Controller controller(fake_.env, mailbox_, agent_, listener_, policy_, callbacks_);
  auto report = controller.DrainWithoutListener(DrainRequest{"agentboot drain", std::nullopt, {}});
  EXPECT_EQ(report.cleanup, Cleanup::kRemoved);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(listener_.commands.empty());
}

TEST_F(Drain, ListenerEndingWithoutADrainEndsTheControllerQuietly) {
  mailbox_.At(t0_ + minutes(7), ListenerEnded{});
  EXPECT_FALSE(Run());
  EXPECT_TRUE(agent_.calls.empty());
  EXPECT_EQ(Since(fake_.clock.Now()), minutes(7));
}

TEST_F(Drain, ADrainRequestedJustBeforeTheListenerEndedStillCleansUp) {
  mailbox_.Post(DrainRequest{"SIGTERM", std::nullopt, {}});
  mailbox_.Post(ListenerEnded{});
  auto report = Run();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->listener_stopped);
  EXPECT_EQ(report->cleanup, Cleanup::kRemoved);
}

}  // namespace
}  // namespace agentboot::lifecycle::testing

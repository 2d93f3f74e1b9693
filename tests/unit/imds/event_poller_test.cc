// ScheduledEventsPoller on FakeClock and ScriptedTransport: the schedule, each event acted on once,
// failures said once per outage. No sockets, no sleeps.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"
#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

using http::testing::ScriptedTransport;
using std::chrono::seconds;

constexpr char kCompute[] = R"({"name":"vm-1"})";
constexpr char kNoEvents[] = R"({"DocumentIncarnation":1,"Events":[]})";
constexpr char kEvents[] =
    R"({"DocumentIncarnation":2,"Events":[
        {"EventId":"T1","EventType":"Terminate","EventStatus":"Scheduled","Resources":["vm-1"],
         "NotBefore":"Mon, 11 Apr 2026 22:26:58 GMT"},
        {"EventId":"R1","EventType":"Reboot","EventStatus":"Scheduled","Resources":["vm-1"],
         "NotBefore":"Mon, 11 Apr 2026 22:26:58 GMT"},
        {"EventId":"X1","EventType":"Preempt","EventStatus":"Scheduled","Resources":["vm-2"],
         "NotBefore":"Mon, 11 Apr 2026 22:26:58 GMT"}]})";

bool IsEvents(const http::Request& request) {
  return request.url.find("/metadata/scheduledevents") != std::string::npos;
}

http::Response JsonResponse(std::string body) {
  http::Response response;
  response.status = 200;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = std::move(body);
  return response;
}

class PollerTest : public ::testing::Test {
 protected:
  PollerTest() {
    transport_.Fallback([this](const http::Request& request) -> Result<http::Response> {
      if (!IsEvents(request)) return JsonResponse(kCompute);
      poll_times_.push_back(fake_.clock.Now());
      if (on_events_) return on_events_();
      return JsonResponse(events_);
    });
  }

  // Runs the poller until `polls` polls were made; the wait only advances the fake clock.
  void RunPolls(size_t polls, Duration interval = kScheduledEventsPollInterval) {
    poller_.Run(interval, [&](Duration d) {
      waits_.push_back(d);
      fake_.clock.SleepFor(d);
      return poll_times_.size() < polls;
    });
  }

  agentboot::testing::FakeEnv fake_;
  ScriptedTransport transport_;
  ImdsClient client_{transport_, "http://169.254.169.254"};
  std::vector<ScheduledEvent> drained_;
  ScheduledEventsPoller poller_{fake_.env, client_,
                                [this](const ScheduledEvent& e) { drained_.push_back(e); }};
  std::string events_ = kNoEvents;
  std::function<Result<http::Response>()> on_events_;
  std::vector<TimePoint> poll_times_;
  std::vector<Duration> waits_;
};

TEST(ScheduledEventsPollInterval, LeavesMostOfThePreemptNoticeAndSparesTheIdleHost) {
  // Preempt's minimum notice is 30 s (identity-contract §7.2): a poll must see it with most left.
  EXPECT_LE(kScheduledEventsPollInterval, seconds(10));
  // At most 12 polls a minute on an idle host (issue 13: <= 10 ms CPU a minute).
  EXPECT_GE(kScheduledEventsPollInterval, seconds(5));
}

TEST_F(PollerTest, PollsAtOnceThenOncePerIntervalOnTheClock) {
  const TimePoint start = fake_.clock.Now();
  RunPolls(4);
  ASSERT_EQ(poll_times_.size(), 4u);
  for (size_t i = 0; i < poll_times_.size(); ++i) {
    EXPECT_EQ(poll_times_[i] - start, kScheduledEventsPollInterval * static_cast<int>(i)) << i;
  }
  EXPECT_EQ(waits_, std::vector<Duration>(4, kScheduledEventsPollInterval));
  EXPECT_TRUE(fake_.log.Contains("watching Azure Scheduled Events"));
  // The VM's name is read once, not on every poll.
  EXPECT_EQ(transport_.request_count(), 5u);
}

TEST_F(PollerTest, ASlowPollIsFollowedAtOnceAndTheScheduleGoesOn) {
  const TimePoint start = fake_.clock.Now();
  int answered = 0;
  on_events_ = [&]() -> Result<http::Response> {
    if (answered++ == 1) fake_.clock.Advance(seconds(7));  // the second poll takes 7 s
    return JsonResponse(kNoEvents);
  };
  RunPolls(4, seconds(5));
  ASSERT_EQ(poll_times_.size(), 4u);
  EXPECT_EQ(poll_times_[1] - start, seconds(5));
  EXPECT_EQ(poll_times_[2] - start, seconds(12));  // at once after the slow poll ended
  EXPECT_EQ(poll_times_[3] - start, seconds(17));  // the missed slot (10 s) is not caught up
  EXPECT_EQ(waits_[1], Duration(0));
}

TEST_F(PollerTest, EachEventOfThisVmIsActedOnOnce) {
  events_ = kEvents;
  RunPolls(3);
  ASSERT_EQ(drained_.size(), 1u);
  EXPECT_EQ(drained_[0].id, "T1");
  EXPECT_EQ(drained_[0].type, "Terminate");
  ASSERT_TRUE(drained_[0].not_before.has_value());
  const auto entries = fake_.log.entries();
  int notices = 0;
  int drains = 0;
  for (const auto& entry : entries) {
    notices += entry.message == "scheduled event (no drain needed)" ? 1 : 0;
    drains += entry.message == "this VM is going away: draining the agent" ? 1 : 0;
  }
  EXPECT_EQ(notices, 1);  // the Reboot; another VM's Preempt is neither drained nor logged
  EXPECT_EQ(drains, 1);
  EXPECT_FALSE(fake_.log.Contains("X1"));
}

TEST_F(PollerTest, AnOutageIsReportedOncePerOutage) {
  int answered = 0;
  on_events_ = [&]() -> Result<http::Response> {
    const int n = answered++;
    if (n == 0 || n == 1 || n == 3) return Fail(ErrorCode::kUnavailable, "GET", "refused");
    return JsonResponse(kNoEvents);
  };
  RunPolls(5);
  int warnings = 0;
  for (const auto& entry : fake_.log.entries()) {
    warnings += entry.message == "cannot read scheduled events; retrying" ? 1 : 0;
  }
  EXPECT_EQ(warnings, 2);  // polls 1-2 are one outage, poll 4 another
  EXPECT_EQ(poll_times_.size(), 5u);
}

TEST_F(PollerTest, TheVmNameIsRetriedUntilReadThenEventsArePolled) {
  transport_.FailWith(ErrorCode::kUnavailable, "refused");  // the first compute request
  events_ = kEvents;
  RunPolls(2);
  EXPECT_TRUE(fake_.log.Contains("cannot read this VM's name; retrying"));
  // The first poll failed before asking for events; the next read the name, then the events.
  ASSERT_EQ(poll_times_.size(), 2u);
  ASSERT_EQ(drained_.size(), 1u);
  EXPECT_EQ(drained_[0].id, "T1");
}

}  // namespace
}  // namespace agentboot::imds

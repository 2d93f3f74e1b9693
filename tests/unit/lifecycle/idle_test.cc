// The idle timeout: DecideIdle's rule and IdlePoller on a FakeClock.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = FromUnixSeconds(1'800'000'000);

TEST(DecideIdle, AnAssignedJobIsNeverIdle) {
  EXPECT_EQ(DecideIdle({true, std::nullopt}, kStart, kStart + minutes(600), minutes(30)),
            IdleVerdict::kBusy);
}

TEST(DecideIdle, IdleTimeCountsFromTheStartOfWatching) {
  EXPECT_EQ(DecideIdle({}, kStart, kStart + minutes(29), minutes(30)), IdleVerdict::kIdle);
  EXPECT_EQ(DecideIdle({}, kStart, kStart + minutes(30), minutes(30)), IdleVerdict::kTimedOut);
}

TEST(DecideIdle, AJobFinishedBeforeTheStartDoesNotShortenTheWait) {
  const AgentActivity old{false, kStart - minutes(120)};
  EXPECT_EQ(DecideIdle(old, kStart, kStart + minutes(1), minutes(30)), IdleVerdict::kIdle);
}

TEST(DecideIdle, ARecentlyCompletedJobRestartsTheWait) {
  const AgentActivity recent{false, kStart + minutes(20)};
  EXPECT_EQ(DecideIdle(recent, kStart, kStart + minutes(40), minutes(30)), IdleVerdict::kIdle);
  EXPECT_EQ(DecideIdle(recent, kStart, kStart + minutes(50), minutes(30)), IdleVerdict::kTimedOut);
}

struct Script {
  testing::FakeEnv fake;
  std::vector<Result<AgentActivity>> answers;  // by poll number; the last one repeats
  int polls = 0;
  IdlePoller::Fetch Fetch() {
    return [this]() -> Result<AgentActivity> {
      const size_t i = std::min(static_cast<size_t>(polls++), answers.size() - 1);
      return answers[i];
    };
  }
};

TEST(IdlePoller, DrainsOnceTheServerShowsNoJobForTheTimeout) {
  Script s;
  s.answers = {AgentActivity{}};
  IdlePoller poller(s.fake.env, s.Fetch(), minutes(30), seconds(60));
  const auto request = poller.Run([] { return false; });
  ASSERT_TRUE(request);
  EXPECT_EQ(request->reason, "idle for 30m");
  EXPECT_EQ(s.fake.clock.Now() - kStart, minutes(30));
  EXPECT_EQ(s.polls, 31);
}

TEST(IdlePoller, AJobKeepsItRunningAndTheWaitRestartsAfterIt) {
  Script s;
  // Busy for the first 40 polls (40 minutes), then the job finished at minute 40.
  for (int i = 0; i < 40; ++i) s.answers.push_back(AgentActivity{true, std::nullopt});
  s.answers.push_back(AgentActivity{false, kStart + minutes(40)});
  IdlePoller poller(s.fake.env, s.Fetch(), minutes(30), seconds(60));
  const auto request = poller.Run([] { return false; });
  ASSERT_TRUE(request);
  EXPECT_EQ(s.fake.clock.Now() - kStart, minutes(70));
}

TEST(IdlePoller, IdleTimeCountsOnlyOnceTheListenerIsOnline) {
  Script s;
  // Offline (the listener still starting) for the first 10 polls.
  for (int i = 0; i < 10; ++i) s.answers.push_back(AgentActivity{false, std::nullopt, false});
  s.answers.push_back(AgentActivity{});
  IdlePoller poller(s.fake.env, s.Fetch(), minutes(30), seconds(60));
  const auto request = poller.Run([] { return false; });
  ASSERT_TRUE(request);
  EXPECT_EQ(s.fake.clock.Now() - kStart, minutes(40));
}

TEST(IdlePoller, AnUnreachableServerNeverCountsAsIdle) {
  Script s;
  s.answers = {Result<AgentActivity>(Fail(ErrorCode::kUnavailable, "GET agent", "503"))};
  IdlePoller poller(s.fake.env, s.Fetch(), minutes(30), seconds(60));
  const auto request = poller.Run([&] { return s.fake.clock.Now() - kStart >= minutes(120); });
  EXPECT_FALSE(request);
  int warnings = 0;
  for (const auto& entry : s.fake.log.entries()) warnings += entry.level == LogLevel::kWarning;
  EXPECT_EQ(warnings, 1) << "one warning per failure streak";
}

TEST(IdlePoller, StopsWithinASecondOfBeingStopped) {
  Script s;
  s.answers = {AgentActivity{true, std::nullopt}};
  IdlePoller poller(s.fake.env, s.Fetch(), minutes(30), minutes(5));
  const TimePoint stop_at = kStart + seconds(10);
  EXPECT_FALSE(poller.Run([&] { return s.fake.clock.Now() >= stop_at; }));
  EXPECT_LE(s.fake.clock.Now() - stop_at, seconds(1));
}

}  // namespace
}  // namespace agentboot::lifecycle

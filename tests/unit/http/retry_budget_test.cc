// RetryBudget: throttling bounded by time (Retry-After honoured to a deadline, with a spread),
// other failures bounded by tries. Pure: the tests pass the time.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"

namespace agentboot::http {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = FromUnixSeconds(1'800'000'000);

BackoffPolicy Backoff() { return BackoffPolicy{6, seconds(1), seconds(60), 2.0, 0.2}; }
ThrottlePolicy Throttle(Duration budget) { return ThrottlePolicy{budget, seconds(30)}; }

TEST(RetryBudget, FollowsALongRetryAfterSequenceToTheDeadline) {
  testing::SeededRandom random;
  random.Fix(0.0);  // no spread: the waits are the server's
  RetryBudget budget(Backoff(), Throttle(minutes(5)), kStart);
  TimePoint now = kStart;
  int waits = 0;
  while (auto delay = budget.Next(true, seconds(20), now, random)) {
    EXPECT_EQ(*delay, seconds(20));
    now += *delay;
    ++waits;
  }
  // Far more than BackoffPolicy's 6 tries: 15 waits of 20 s fill the 5 minutes exactly.
  EXPECT_EQ(waits, 15);
  EXPECT_EQ(now, kStart + minutes(5));
  EXPECT_TRUE(budget.throttle_budget_spent());
  EXPECT_EQ(budget.throttled_answers(), 16);
}

TEST(RetryBudget, ARetryAfterBeyondTheDeadlineEndsAtOnce) {
  testing::SeededRandom random;
  RetryBudget budget(Backoff(), Throttle(minutes(10)), kStart);
  EXPECT_EQ(budget.Next(true, seconds(30), kStart + minutes(9) + seconds(31), random),
            std::nullopt);
  EXPECT_TRUE(budget.throttle_budget_spent());
  EXPECT_EQ(budget.deadline(), kStart + minutes(10));
}

TEST(RetryBudget, ARetryAfterLongerThanTheLongestWaitEndsAtOnce) {
  testing::SeededRandom random;
  RetryBudget budget(Backoff(), Throttle(std::chrono::hours(2)), kStart);
  EXPECT_EQ(budget.Next(true, kMaxServerDelay + seconds(1), kStart, random), std::nullopt);
  EXPECT_TRUE(budget.throttle_budget_spent());
}

TEST(RetryBudget, TheSpreadNeverSleepsPastTheDeadline) {
  testing::SeededRandom random;
  random.Fix(1.0);  // the widest spread
  RetryBudget budget(Backoff(), Throttle(minutes(1)), kStart);
  // 10 s asked, 12 s left: the spread (up to 1 s on the first answer) is cut at the deadline.
  const TimePoint now = kStart + seconds(48);
  const auto delay = budget.Next(true, seconds(10), now, random);
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(*delay, seconds(11));
  ASSERT_TRUE(budget.Next(true, seconds(11), now + seconds(1), random).has_value());
  // 1 s asked with 1.5 s left: the spread (up to 4 s on the third answer) is cut at the deadline,
  // where the last try is sent.
  EXPECT_EQ(
      budget.Next(true, seconds(1), kStart + seconds(58) + std::chrono::milliseconds(500), random),
      std::chrono::milliseconds(1500));
  EXPECT_FALSE(budget.throttle_budget_spent());
}

TEST(RetryBudget, SpreadStaysWithinItsBoundsAndReallySpreads) {
  testing::SeededRandom random(7);
  const Duration server = seconds(3);
  Duration low = minutes(10);
  Duration high = Duration::zero();
  for (int host = 0; host < 500; ++host) {
    RetryBudget budget(Backoff(), Throttle(minutes(10)), kStart);
    TimePoint now = kStart;
    for (int answer = 1; answer <= 8; ++answer) {
      const auto delay = budget.Next(true, server, now, random);
      ASSERT_TRUE(delay.has_value());
      // The window: 1 s, 2 s, 4 s, ... up to 30 s.
      const Duration window = std::min<Duration>(seconds(30), seconds(1 << (answer - 1)));
      ASSERT_GE(*delay, server) << "never before the server's time";
      ASSERT_LE(*delay, server + window);
      if (answer == 8) {
        low = std::min(low, *delay);
        high = std::max(high, *delay);
      }
      now += *delay;
    }
  }
  // 500 hosts at their 8th answer spread over most of the 30 s window, not one instant.
  EXPECT_LT(low, server + seconds(2));
  EXPECT_GT(high, server + seconds(28));
}

TEST(RetryBudget, RetryAfterZeroStillWaitsTheFirstBackoffStep) {
  testing::SeededRandom random;
  random.Fix(0.0);
  RetryBudget budget(Backoff(), Throttle(minutes(10)), kStart);
  EXPECT_EQ(budget.Next(true, Duration::zero(), kStart, random), seconds(1));
}

TEST(RetryBudget, OtherFailuresStayBoundedByTries) {
  testing::SeededRandom random;
  random.Fix(0.5);  // jitter factor exactly 1.0
  RetryBudget budget(Backoff(), Throttle(minutes(10)), kStart);
  std::vector<Duration> delays;
  // 502 without a wait, a timeout, and a 429 that names no wait: all count as tries.
  while (auto delay = budget.Next(delays.size() % 2 == 0, std::nullopt, kStart, random)) {
    delays.push_back(*delay);
  }
  EXPECT_EQ(delays, (std::vector<Duration>{seconds(1), seconds(2), seconds(4), seconds(8),
                                           seconds(16)}));  // 6 tries in all
  EXPECT_FALSE(budget.throttle_budget_spent());
}

TEST(RetryBudget, ThrottledAnswersDoNotUseUpTheTries) {
  testing::SeededRandom random;
  random.Fix(0.0);
  RetryBudget budget(Backoff(), Throttle(minutes(10)), kStart);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(budget.Next(false, std::nullopt, kStart, random));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(budget.Next(true, seconds(1), kStart, random));
  ASSERT_TRUE(budget.Next(false, std::nullopt, kStart, random));   // the 5th failure
  EXPECT_FALSE(budget.Next(false, std::nullopt, kStart, random));  // the 6th ends it
}

TEST(RetryBudget, ZeroBudgetCountsThrottlingAsTries) {
  testing::SeededRandom random;
  random.Fix(0.5);
  RetryBudget budget(Backoff(), Throttle(Duration::zero()), kStart);
  int retries = 0;
  while (budget.Next(true, seconds(2), kStart, random)) ++retries;
  EXPECT_EQ(retries, 5);
  EXPECT_FALSE(budget.throttle_budget_spent());
}

}  // namespace
}  // namespace agentboot::http

#include "refresh_policy.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

#include "test_support.h"

namespace agentboot::identity {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::Token;

const TimePoint kNow = FromUnixSeconds(1'800'000'000);

TEST(RefreshPolicy, HalfLifeForA24HourToken) {
  EXPECT_EQ(detail::RefreshTime(Token("t", kNow + hours(24)), kNow), kNow + hours(12));
}

TEST(RefreshPolicy, FiveMinutesBeforeExpiryForA1HourToken) {
  EXPECT_EQ(detail::RefreshTime(Token("t", kNow + hours(1)), kNow), kNow + minutes(55));
}

TEST(RefreshPolicy, ExactlyTwoHoursIsNotLongLived) {
  EXPECT_EQ(detail::RefreshTime(Token("t", kNow + hours(2)), kNow), kNow + minutes(115));
}

TEST(RefreshPolicy, VeryShortTokenRefreshesAtHalfLife) {
  EXPECT_EQ(detail::RefreshTime(Token("t", kNow + minutes(6)), kNow), kNow + minutes(3));
}

TEST(RefreshPolicy, RefreshInFromTheSourceWins) {
  auto token = Token("t", kNow + hours(24));
  token.refresh_on = kNow + hours(3);
  EXPECT_EQ(detail::RefreshTime(token, kNow), kNow + hours(3));
  token.refresh_on = kNow + hours(30);  // nonsense: never past 5 minutes before expiry
  EXPECT_EQ(detail::RefreshTime(token, kNow), kNow + hours(24) - minutes(5));
}

TEST(RefreshPolicy, JitterIsBoundedByMaxAndTenthOfLifetime) {
  EXPECT_EQ(detail::JitterBound(Token("t", kNow + hours(24)), kNow, minutes(5)), minutes(5));
  EXPECT_EQ(detail::JitterBound(Token("t", kNow + minutes(20)), kNow, minutes(5)), minutes(2));
  EXPECT_EQ(detail::JitterBound(Token("t", kNow - minutes(1)), kNow, minutes(5)), Duration::zero());
}

TEST(RefreshPolicy, JitterMovesRefreshEarlierOnly) {
  const auto token = Token("t", kNow + hours(24));
  EXPECT_EQ(detail::JitteredRefreshTime(token, kNow, minutes(5), 0.0), kNow + hours(12));
  EXPECT_EQ(detail::JitteredRefreshTime(token, kNow, minutes(5), 1.0),
            kNow + hours(12) - minutes(5));
  EXPECT_EQ(detail::JitteredRefreshTime(token, kNow, minutes(5), 7.0),
            kNow + hours(12) - minutes(5));
}

TEST(RefreshPolicy, RetryDelayDoublesUpToTheCap) {
  const Duration initial = std::chrono::seconds(30);
  const Duration cap = minutes(10);
  EXPECT_EQ(detail::RefreshRetryDelay(1, initial, cap), std::chrono::seconds(30));
  EXPECT_EQ(detail::RefreshRetryDelay(2, initial, cap), minutes(1));
  EXPECT_EQ(detail::RefreshRetryDelay(3, initial, cap), minutes(2));
  EXPECT_EQ(detail::RefreshRetryDelay(5, initial, cap), minutes(8));
  EXPECT_EQ(detail::RefreshRetryDelay(6, initial, cap), cap);
  EXPECT_EQ(detail::RefreshRetryDelay(60, initial, cap), cap);
}

}  // namespace
}  // namespace agentboot::identity

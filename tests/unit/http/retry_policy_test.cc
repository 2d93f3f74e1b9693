#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"

namespace agentboot::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 1994-11-06T08:49:37Z, the RFC's example date.
const TimePoint kRfcDate = FromUnixSeconds(784111777);

TEST(ParseRetryAfter, ReadsDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kRfcDate), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kRfcDate), seconds(0));
}

TEST(ParseRetryAfter, ReadsImfFixdateRelativeToNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", kRfcDate), seconds(30));
}

TEST(ParseRetryAfter, ReadsRfc850AndAsctimeDates) {
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:47 GMT", kRfcDate), seconds(10));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:57 1994", kRfcDate), seconds(20));
}

TEST(ParseRetryAfter, PastDateMeansNoWait) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kRfcDate), milliseconds(0));
}

TEST(ParseRetryAfter, RejectsGarbage) {
  EXPECT_EQ(ParseRetryAfter("", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 31 Feb 1994 08:00:00 GMT", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Foo 1994 08:00:00 GMT", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 25:00:00 GMT", kRfcDate), std::nullopt);
}

// Security review M7: huge values are bounded before they become a Duration (no overflow, no UB).
TEST(ParseRetryAfter, HugeDeltaIsBoundedToOneDayBeforeConversion) {
  EXPECT_EQ(ParseRetryAfter("999999", kRfcDate), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("99999999999999999", kRfcDate), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("9223372036854775807", kRfcDate), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("86399", kRfcDate), seconds(86399));
}

TEST(ParseRetryAfter, DateBeyondWhatATimePointHoldsIsRejected) {
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", kRfcDate), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Tue, 01 Jan 2200 00:00:00 GMT", kRfcDate), std::chrono::hours(24));
}

Response WithHeaders(Headers headers) {
  Response response;
  response.status = 429;
  response.headers = std::move(headers);
  return response;
}

TEST(ServerRequestedDelay, PrefersRetryAfterOverOtherHeaders) {
  const auto response =
      WithHeaders({{"X-RateLimit-Reset", std::to_string(ToUnixSeconds(kRfcDate) + 99)},
                   {"retry-after-ms", "1500"},
                   {"retry-after", "7"}});
  EXPECT_EQ(ServerRequestedDelay(response, kRfcDate), seconds(7));
}

TEST(ServerRequestedDelay, FallsBackInDocumentedOrder) {
  EXPECT_EQ(
      ServerRequestedDelay(
          WithHeaders({{"x-ms-retry-after-ms", "300"}, {"Retry-After-Ms", "1500"}}), kRfcDate),
      milliseconds(1500));
  EXPECT_EQ(
      ServerRequestedDelay(
          WithHeaders({{"Retry-After", "garbage"}, {"x-ms-retry-after-ms", "300"}}), kRfcDate),
      milliseconds(300));
}

TEST(ServerRequestedDelay, ReadsRateLimitResetAsEpochSeconds) {
  const auto reset = std::to_string(ToUnixSeconds(kRfcDate) + 42);
  EXPECT_EQ(ServerRequestedDelay(WithHeaders({{"X-RateLimit-Reset", reset}}), kRfcDate),
            seconds(42));
  const auto past = std::to_string(ToUnixSeconds(kRfcDate) - 42);
  EXPECT_EQ(ServerRequestedDelay(WithHeaders({{"X-RateLimit-Reset", past}}), kRfcDate),
            milliseconds(0));
}

TEST(ServerRequestedDelay, HugeRateLimitResetAndMillisecondsAreBounded) {
  EXPECT_EQ(
      ServerRequestedDelay(WithHeaders({{"X-RateLimit-Reset", "9223372036854775807"}}), kRfcDate),
      std::chrono::hours(24));
  EXPECT_EQ(ServerRequestedDelay(WithHeaders({{"X-RateLimit-Reset", "99999999999"}}), kRfcDate),
            std::chrono::hours(24));
  EXPECT_EQ(
      ServerRequestedDelay(WithHeaders({{"X-RateLimit-Reset", "-9223372036854775807"}}), kRfcDate),
      std::nullopt);
  EXPECT_EQ(
      ServerRequestedDelay(WithHeaders({{"retry-after-ms", "9223372036854775807"}}), kRfcDate),
      std::chrono::hours(24));
}

TEST(CapServerDelay, ClampsToFiveMinutes) {
  EXPECT_EQ(CapServerDelay(std::chrono::hours(24)), minutes(5));
  EXPECT_EQ(CapServerDelay(seconds(7)), seconds(7));
  EXPECT_EQ(CapServerDelay(seconds(-7)), seconds(0));
}

TEST(ServerRequestedDelay, AbsentWhenNoHeaderSaysSo) {
  EXPECT_EQ(ServerRequestedDelay(WithHeaders({{"X-RateLimit-Delay", "1.5"}}), kRfcDate),
            std::nullopt);
}

TEST(BackoffDelay, GrowsByMultiplierUntilTheCap) {
  testing::SeededRandom random;
  random.Fix(0.5);  // jitter factor exactly 1.0
  BackoffPolicy policy;
  policy.initial = seconds(1);
  policy.max_delay = seconds(10);
  EXPECT_EQ(BackoffDelay(policy, 1, random), seconds(1));
  EXPECT_EQ(BackoffDelay(policy, 2, random), seconds(2));
  EXPECT_EQ(BackoffDelay(policy, 4, random), seconds(8));
  EXPECT_EQ(BackoffDelay(policy, 5, random), seconds(10));
  EXPECT_EQ(BackoffDelay(policy, 500, random), seconds(10));
}

TEST(BackoffDelay, JitterStaysWithinBounds) {
  testing::SeededRandom random(7);
  BackoffPolicy policy;
  policy.initial = seconds(10);
  policy.jitter = 0.2;
  Duration low = minutes(1);
  Duration high = Duration::zero();
  for (int i = 0; i < 500; ++i) {
    const Duration d = BackoffDelay(policy, 1, random);
    low = std::min(low, d);
    high = std::max(high, d);
  }
  EXPECT_GE(low, seconds(8));
  EXPECT_LE(high, seconds(12));
  EXPECT_LT(low, seconds(9));  // the jitter really spreads the delays
  EXPECT_GT(high, seconds(11));
}

TEST(BackoffDelay, ServerDelayWinsWhenLongerAndIsCappedAtFiveMinutes) {
  testing::SeededRandom random;
  random.Fix(0.5);
  BackoffPolicy policy;
  EXPECT_EQ(BackoffDelay(policy, 1, random, seconds(30)), seconds(30));
  EXPECT_EQ(BackoffDelay(policy, 3, random, milliseconds(10)), seconds(4));
  EXPECT_EQ(BackoffDelay(policy, 1, random, minutes(60)), minutes(5));
}

}  // namespace
}  // namespace agentboot::http

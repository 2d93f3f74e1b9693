#include "devops_throttle.h"

#include <gtest/gtest.h>

namespace agentboot::sim::detail {
namespace {

const TimePoint kT0 = FromUnixSeconds(1'800'000'000);

TEST(TokenBucketThrottle, DisabledByDefault) {
  TokenBucketThrottle throttle;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(throttle.Take("oid", kT0).allowed);
  EXPECT_FALSE(throttle.Take("oid", kT0).active);
}

TEST(TokenBucketThrottle, RefusesAfterBurstWithRetryAfterAndReset) {
  TokenBucketThrottle throttle;
  throttle.Configure(6, 2, "");  // one token per 10 s, bucket of 2
  EXPECT_TRUE(throttle.Take("oid", kT0).allowed);
  TokenBucketThrottle::Verdict second = throttle.Take("oid", kT0);
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.remaining, 0);
  TokenBucketThrottle::Verdict third = throttle.Take("oid", kT0);
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.retry_after_seconds, 10);
  EXPECT_EQ(third.limit, 2);
  EXPECT_EQ(third.reset_epoch, ToUnixSeconds(kT0) + 20);
  EXPECT_TRUE(throttle.Take("oid", kT0 + std::chrono::seconds(10)).allowed);
}

TEST(TokenBucketThrottle, BucketsArePerIdentity) {
  TokenBucketThrottle throttle;
  throttle.Configure(60, 1, "");
  EXPECT_TRUE(throttle.Take("a", kT0).allowed);
  EXPECT_FALSE(throttle.Take("a", kT0).allowed);
  EXPECT_TRUE(throttle.Take("b", kT0).allowed);
}

TEST(TokenBucketThrottle, OnlyIdentityLimitsJustThatIdentity) {
  TokenBucketThrottle throttle;
  throttle.Configure(60, 1, "A");
  EXPECT_TRUE(throttle.Take("a", kT0).allowed);
  EXPECT_FALSE(throttle.Take("a", kT0).allowed);
  EXPECT_TRUE(throttle.Take("b", kT0).allowed);
  EXPECT_TRUE(throttle.Take("b", kT0).allowed);
}

TEST(TokenBucketThrottle, ZeroRateDisablesAgain) {
  TokenBucketThrottle throttle;
  throttle.Configure(60, 1, "");
  EXPECT_TRUE(throttle.Take("a", kT0).allowed);
  throttle.Configure(0, 0, "");
  EXPECT_TRUE(throttle.Take("a", kT0).allowed);
}

}  // namespace
}  // namespace agentboot::sim::detail

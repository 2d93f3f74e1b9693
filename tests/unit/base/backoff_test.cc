// The one back-off rule (base.h): growth, cap, jitter range and where the jitter may end.
#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/base_testing.h"

namespace agentboot {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(BackoffDelay, GrowsByItsMultiplierUpToTheCap) {
  ExponentialBackoff backoff;
  backoff.initial = seconds(1);
  backoff.max = seconds(10);
  EXPECT_EQ(BackoffDelay(backoff, 0, 0.0), seconds(1));  // before the first failure: initial
  EXPECT_EQ(BackoffDelay(backoff, 1, 0.0), seconds(1));
  EXPECT_EQ(BackoffDelay(backoff, 2, 0.0), seconds(2));
  EXPECT_EQ(BackoffDelay(backoff, 4, 0.0), seconds(8));
  EXPECT_EQ(BackoffDelay(backoff, 5, 0.0), seconds(10));
  EXPECT_EQ(BackoffDelay(backoff, 100000, 1.0), seconds(10));  // no overflow, no jitter set
  backoff.multiplier = 3.0;
  EXPECT_EQ(BackoffDelay(backoff, 3, 0.0), seconds(9));
}

TEST(BackoffDelay, JitterRunsFromBelowToAboveAndMayStayWithinTheCap) {
  ExponentialBackoff backoff;
  backoff.initial = seconds(4);
  backoff.max = seconds(5);
  backoff.jitter_below = 0.25;
  backoff.jitter_above = 0.5;
  EXPECT_EQ(BackoffDelay(backoff, 1, 0.0), seconds(3));
  EXPECT_EQ(BackoffDelay(backoff, 1, 1.0), seconds(6));  // above the cap: jitter is extra
  EXPECT_EQ(BackoffDelay(backoff, 1, 7.0), seconds(6));  // jitter01 is clamped to [0, 1]
  backoff.jitter_within_max = true;
  EXPECT_EQ(BackoffDelay(backoff, 1, 1.0), seconds(5));
  EXPECT_EQ(BackoffDelay(backoff, 1, 0.0), seconds(3));
}

TEST(BackoffDelay, TheJitterComesFromTheCallersRandom) {
  testing::SeededRandom random;
  ExponentialBackoff backoff;
  backoff.initial = seconds(10);
  backoff.jitter_below = 0.2;
  backoff.jitter_above = 0.2;
  random.Fix(0.5);
  EXPECT_EQ(BackoffDelay(backoff, 1, random.Uniform(0.0, 1.0)), seconds(10));
  random.Fix(0.75);
  EXPECT_EQ(BackoffDelay(backoff, 1, random.Uniform(0.0, 1.0)), seconds(11));
  EXPECT_EQ(BackoffDelay(ExponentialBackoff{milliseconds(0), seconds(1)}, 9, 1.0), milliseconds(0));
}

}  // namespace
}  // namespace agentboot

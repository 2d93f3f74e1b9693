#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

namespace agentboot::testing {
namespace {

TEST(FakeClock, SleepAdvancesVirtualTimeAndIsRecorded) {
  FakeClock clock(FromUnixSeconds(100));
  clock.SleepFor(std::chrono::seconds(2));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 102);
  ASSERT_EQ(clock.sleeps().size(), 1U);
  EXPECT_EQ(clock.sleeps()[0], std::chrono::seconds(2));
}

TEST(MemFileSystem, CountsReadsAndInjectsWriteFailures) {
  MemFileSystem fs;
  fs.Put("/t/token", "a");
  EXPECT_EQ(*fs.ReadFile("/t/token"), "a");
  EXPECT_EQ(fs.reads_of("/t/token"), 1);
  fs.FailWritesUnder("/t/");
  EXPECT_FALSE(fs.WriteFileAtomic("/t/x", "b", 0600));
  EXPECT_EQ(*fs.ListDirectory("/t"), std::vector<std::string>{"token"});
}

TEST(SeededRandom, FixedFractionIsExact) {
  SeededRandom random;
  random.Fix(0.25);
  EXPECT_DOUBLE_EQ(random.Uniform(0, 8), 2.0);
}

}  // namespace
}  // namespace agentboot::testing

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

// The fake behaves like PosixFileSystem (secure_files_test.cc): links followed by ReadFile and
// Stat, refused by the no-follow operations; owners recorded.
TEST(MemFileSystem, SymlinksFifosAndOwnersBehaveLikeTheRealThing) {
  MemFileSystem fs;
  fs.Put("/etc/secret", "s", 0600);
  fs.PutSymlink("/a/link", "/etc/secret");
  fs.PutFifo("/a/fifo");
  EXPECT_EQ(*fs.ReadFile("/a/link"), "s");
  EXPECT_EQ(fs.Stat("/a/link")->size, 1U);
  EXPECT_EQ(fs.ReadRegularFile("/a/link", 10).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadRegularFile("/a/fifo", 10).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadRegularFile("/etc/secret", 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*fs.ReadRegularFile("/etc/secret", 1), "s");
  EXPECT_EQ(fs.ChownNoFollow("/a", "link", FileOwner{1, 1}, {}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs.OwnerOf("/etc/secret").has_value());
  ASSERT_TRUE(fs.ChownNoFollow("/etc", "secret", FileOwner{1, 2}, 0640U));
  EXPECT_EQ(fs.OwnerOf("/etc/secret")->gid, 2U);
  EXPECT_EQ(fs.ModeOf("/etc/secret"), 0640U);
  ASSERT_TRUE(fs.WriteFileAtomicOwned("/a/link", "new", 0640, FileOwner{0, 7}));
  EXPECT_EQ(*fs.ReadFile("/etc/secret"), "s");  // the rename replaced the link, not its target
  EXPECT_EQ(fs.OwnerOf("/a/link")->gid, 7U);
}

TEST(SeededRandom, FixedFractionIsExact) {
  SeededRandom random;
  random.Fix(0.25);
  EXPECT_DOUBLE_EQ(random.Uniform(0, 8), 2.0);
}

}  // namespace
}  // namespace agentboot::testing

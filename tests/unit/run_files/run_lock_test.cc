// RunLock, RunningAgentboot and AgentbootToSignal (run_lock.h) through MemFileSystem: the lock's
// refusals and its release, without a real agent directory.
#include "run_lock.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr const char* kRoot = "/agent";
constexpr const char* kLock = "/agent/.agentboot.lock";
constexpr const char* kPid = "/agent/.agentboot.pid";

class RunLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_.SetSelf(FileOwner{::geteuid(), ::getegid()});
    fs_.PutDirectory(kRoot, 0755);
  }
  testing::MemFileSystem fs_;
};

TEST_F(RunLockTest, SecondRunOnTheSameRootIsRefusedUntilTheFirstEnds) {
  {
    auto first = RunLock::Acquire(fs_, kRoot);
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_EQ(*fs_.ReadFile(kPid), std::to_string(::getpid()) + "\n");
    EXPECT_EQ(fs_.ModeOf(kLock), 0600U);
    const auto second = RunLock::Acquire(fs_, kRoot);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(second.error().context, kRoot);
    EXPECT_NE(second.error().detail.find("another agentboot already runs this agent"),
              std::string::npos);
    EXPECT_NE(second.error().advice.find("agentboot drain"), std::string::npos);
  }
  EXPECT_FALSE(fs_.Exists(kPid)) << "the pid file goes with the lock";
  EXPECT_TRUE(RunLock::Acquire(fs_, kRoot));
}

TEST_F(RunLockTest, AFailedFirstStepReleasesTheLockAndWritesNothing) {
  const auto failed = RunLock::Acquire(fs_, kRoot, [] {
    return Status(Fail(ErrorCode::kPermissionDenied, "chown /agent", "refused"));
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().context, "chown /agent");
  EXPECT_FALSE(fs_.Exists(kPid));
  EXPECT_TRUE(RunLock::Acquire(fs_, kRoot)) << "the lock was released";
}

TEST_F(RunLockTest, SymlinkedForeignOrOpenLockFilesAreRefusedAsUntrusted) {
  fs_.Put("/etc/target", "");
  fs_.PutSymlink(kLock, "/etc/target");
  auto linked = RunLock::Acquire(fs_, kRoot);
  ASSERT_FALSE(linked);
  EXPECT_EQ(linked.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(linked.error().context, kLock);
  EXPECT_NE(linked.error().advice.find("compromised"), std::string::npos);
  EXPECT_EQ(fs_.ModeOf("/etc/target"), 0644U) << "the target is not touched";

  ASSERT_TRUE(fs_.WriteFileAtomicOwned(kLock, "", 0600, FileOwner{::geteuid() + 1, 0}));
  auto foreign = RunLock::Acquire(fs_, kRoot);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(foreign.error().detail.find("belongs to uid"), std::string::npos);

  fs_.Put(kLock, "", 0666);
  EXPECT_EQ(RunLock::Acquire(fs_, kRoot).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs_.Exists(kPid));
}

TEST_F(RunLockTest, NothingRunsWhereNoLockIsHeld) {
  EXPECT_EQ(RunningAgentboot(fs_, kRoot), std::nullopt);
  auto none = AgentbootToSignal(fs_, kRoot);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, std::nullopt) << "no lock file";
  fs_.Put(kLock, "", 0600);
  none = AgentbootToSignal(fs_, kRoot);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, std::nullopt) << "a lock file nobody holds";
  EXPECT_EQ(RunningAgentboot(fs_, kRoot), std::nullopt);
}

TEST_F(RunLockTest, AHolderThePidFileDoesNotNameIsNeverSignalled) {
  fs_.Put(kLock, "", 0600);
  auto other = fs_.Lock(kLock, LockRequest{});  // another process holds it
  ASSERT_TRUE(other);
  const auto probe = fs_.ProbeLock(kLock, true);
  ASSERT_TRUE(probe);
  fs_.Put("/proc/locks",
          "1: FLOCK  ADVISORY  WRITE 4242 00:00:" + std::to_string(probe->file.inode) + " 0 EOF\n");
  fs_.Put(kPid, "4242\n", 0644);  // the fake's file is not on disk: its word is not trusted
  const auto refused = AgentbootToSignal(fs_, kRoot);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().detail.find("(pid 4242)"), std::string::npos);
  EXPECT_NE(refused.error().detail.find("signals no one"), std::string::npos);
}

TEST_F(RunLockTest, ASymlinkedLockIsRefusedBeforeAnyoneIsSignalled) {
  fs_.Put("/etc/target", "");
  fs_.PutSymlink(kLock, "/etc/target");
  const auto refused = AgentbootToSignal(fs_, kRoot);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().context, kLock);
}

}  // namespace
}  // namespace agentboot::cli

// ShareAgentRoot and TakeAgentRootBack (run_ownership.h) through MemFileSystem: who owns what in
// an agent root under `run --run-as`, and that nothing is changed through a symlink.
#include "run_ownership.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr const char* kRoot = "/agent";
const ListenerAccount kListener{4321, 4322};

class RunOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_.SetSelf(self_);
    fs_.PutDirectory(kRoot, 0755);
    fs_.Put("/agent/.agent", "{}", 0600);
    fs_.Put("/agent/.credentials", "{}", 0600);
  }
  EntryInfo Info(const std::string& path) { return *fs_.Lstat(path); }
  FileOwner self_{::geteuid(), ::getegid()};
  testing::MemFileSystem fs_;
};

TEST_F(RunOwnershipTest, SharesConfigurationAndGivesTheListenerItsDirectories) {
  ASSERT_TRUE(ShareAgentRoot(fs_, kRoot, "_work", kListener));
  for (const char* file : {"/agent/.agent", "/agent/.credentials"}) {
    EXPECT_EQ(fs_.OwnerOf(file), (FileOwner{self_.uid, kListener.gid})) << file;
    EXPECT_EQ(fs_.ModeOf(file), 0640U) << file;
  }
  EXPECT_FALSE(fs_.Exists("/agent/.credentials_rsaparams")) << "a missing file is skipped";
  for (const char* dir : {"/agent/_diag", "/agent/_work"}) {
    EXPECT_EQ(Info(dir).kind, EntryKind::kDirectory) << dir;
    EXPECT_EQ(Info(dir).owner, (FileOwner{kListener.uid, kListener.gid})) << dir;
    EXPECT_EQ(Info(dir).mode, 0750U) << dir;
  }
  EXPECT_EQ(Info(kRoot).owner, self_) << "the root stays agentboot's";
}

TEST_F(RunOwnershipTest, TakesBackARootAnOlderReleaseGaveAway) {
  ASSERT_TRUE(fs_.ChownDirectoryNoFollow(kRoot, {kListener.uid, kListener.gid}, 0770));
  ASSERT_TRUE(TakeAgentRootBack(fs_, kRoot));
  EXPECT_EQ(Info(kRoot).owner, self_);
  EXPECT_EQ(Info(kRoot).mode, 0755U);
}

TEST_F(RunOwnershipTest, LeavesAPrivateRootOfItsOwnAsItIs) {
  ASSERT_TRUE(fs_.ChownDirectoryNoFollow(kRoot, self_, 0700));
  ASSERT_TRUE(TakeAgentRootBack(fs_, kRoot));
  EXPECT_EQ(Info(kRoot).mode, 0700U);
}

TEST_F(RunOwnershipTest, ASymlinkedRootIsRefusedAsALocalFailure) {
  fs_.PutDirectory("/elsewhere", 0777);
  ASSERT_TRUE(fs_.RemoveTree(kRoot));
  fs_.PutSymlink(kRoot, "/elsewhere");
  const auto refused = TakeAgentRootBack(fs_, kRoot);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().context, "chown /agent");
  EXPECT_NE(refused.error().advice.find("--agent-dir"), std::string::npos);
  EXPECT_EQ(Info("/elsewhere").mode, 0777U) << "the link's target is not touched";
  EXPECT_FALSE(ShareAgentRoot(fs_, kRoot, "_work", kListener));
}

TEST_F(RunOwnershipTest, ASymlinkedConfigurationFileIsRefusedAndItsTargetLeft) {
  fs_.Put("/etc/shadow", "secret", 0600);
  ASSERT_TRUE(fs_.Remove("/agent/.credentials"));
  fs_.PutSymlink("/agent/.credentials", "/etc/shadow");
  const auto refused = ShareAgentRoot(fs_, kRoot, "_work", kListener);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(refused.error().context, "give /agent/.credentials to the --run-as user");
  EXPECT_EQ(fs_.OwnerOf("/etc/shadow"), std::nullopt);
  EXPECT_EQ(fs_.ModeOf("/etc/shadow"), 0600U);
}

TEST_F(RunOwnershipTest, ALinkWhereTheListenersDirectoryGoesIsReplacedNotFollowed) {
  fs_.PutDirectory("/etc", 0755);
  fs_.PutSymlink("/agent/_diag", "/etc");
  fs_.Put("/agent/_work", "a file in the way");
  ASSERT_TRUE(ShareAgentRoot(fs_, kRoot, "_work", kListener));
  for (const char* dir : {"/agent/_diag", "/agent/_work"}) {
    EXPECT_EQ(Info(dir).kind, EntryKind::kDirectory) << dir;
    EXPECT_EQ(Info(dir).owner.uid, kListener.uid) << dir;
  }
  EXPECT_EQ(Info("/etc").owner, self_) << "the link's target is not given away";
}

TEST_F(RunOwnershipTest, AWorkFolderOutsideTheRootIsLeftToTheAdministrator) {
  ASSERT_TRUE(ShareAgentRoot(fs_, kRoot, "/srv/work", kListener));
  ASSERT_TRUE(ShareAgentRoot(fs_, kRoot, "..", kListener));
  EXPECT_FALSE(fs_.Exists("/srv/work"));
  EXPECT_EQ(Info(kRoot).owner, self_);
}

}  // namespace
}  // namespace agentboot::cli

// security-review H2 and L7 for the agent's files: no chown through a symlink, and leftover
// temp files of an interrupted write are found and removed.
#include <filesystem>

#include <gtest/gtest.h>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"

#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::agent {
namespace {

using agentboot::testing::MemFileSystem;

TEST(ChownAgentFiles, GivesTheFilesThatExistByDescriptor) {
  MemFileSystem fs;
  fs.Put("/agent/.agent", "{}", 0600);
  fs.Put("/agent/.credentials", "{}", 0600);
  ASSERT_TRUE(ChownAgentFiles(AgentFiles(fs, "/agent/"), 1001, 1002));
  EXPECT_EQ(fs.OwnerOf("/agent/.agent")->uid, 1001U);
  EXPECT_EQ(fs.OwnerOf("/agent/.credentials")->gid, 1002U);
  EXPECT_FALSE(fs.OwnerOf("/agent/.credentials_rsaparams").has_value());  // absent: skipped
}

TEST(ChownAgentFiles, RefusesASymlinkAndLeavesItsTarget) {
  MemFileSystem fs;
  fs.Put("/etc/shadow", "root:x", 0600);
  fs.PutSymlink("/agent/.credentials", "/etc/shadow");
  auto owned = ChownAgentFiles(AgentFiles(fs, "/agent"), 1001, 1001);
  ASSERT_FALSE(owned.has_value());
  EXPECT_EQ(owned.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs.OwnerOf("/etc/shadow").has_value());
  EXPECT_EQ(fs.ModeOf("/etc/shadow"), 0600U);
}

// The attack itself (B6a), on the real file system: root's chown does not reach the target.
TEST(ChownAgentFiles, RealSymlinkedCredentialsKeepTheirTargetsOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  std::string pattern = (std::filesystem::temp_directory_path() / "agentboot-h2-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  const std::string victim = dir + "/shadow-copy";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(victim, "root:x:0", 0600));
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(dir + "/.agent", "{}", 0600));
  ASSERT_EQ(::symlink(victim.c_str(), (dir + "/.credentials").c_str()), 0);
  EXPECT_FALSE(ChownAgentFiles(AgentFiles(PosixFileSystem(), dir), 4242, 4242));
  struct stat st {};
  ASSERT_EQ(::stat(victim.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0U);
  EXPECT_EQ(st.st_gid, 0U);
  std::filesystem::remove_all(dir);
}

TEST(StaleTempFiles, OnlyAgentbootsOwnTempNamesMatch) {
  EXPECT_TRUE(IsStaleAgentTempFile(".credentials_rsaparams.tmp.rnGOeF"));
  EXPECT_TRUE(IsStaleAgentTempFile(".agent.tmp.AB12cd"));
  EXPECT_TRUE(IsStaleAgentTempFile(".credentials.tmp.000000"));
  EXPECT_TRUE(IsStaleAgentTempFile(".credentials_rsaparams.next.tmp.xYz123"));
  EXPECT_TRUE(IsStaleAgentTempFile(".agentboot.pid.tmp.aaaaaa"));
  EXPECT_FALSE(IsStaleAgentTempFile(".credentials_rsaparams"));
  EXPECT_FALSE(IsStaleAgentTempFile(".credentials.tmp.short"));
  EXPECT_FALSE(IsStaleAgentTempFile(".credentials.tmp.toolong1"));
  EXPECT_FALSE(IsStaleAgentTempFile(".credentials.tmp.ab/cde"));
  EXPECT_FALSE(IsStaleAgentTempFile("notes.tmp.abcdef"));
  EXPECT_FALSE(IsStaleAgentTempFile(".env.tmp.abcdef"));  // not agentboot's
}

TEST(StaleTempFiles, SweepRemovesThemAndNothingElse) {
  MemFileSystem fs;
  fs.Put("/agent/.credentials_rsaparams", "key", 0600);
  fs.Put("/agent/.credentials_rsaparams.tmp.rnGOeF", "", 0600);
  fs.Put("/agent/.agent.tmp.Q1w2E3", "{", 0600);
  fs.Put("/agent/_work/x.tmp.abcdef", "job", 0644);
  fs.Put("/agent/notes.tmp.abcdef", "mine", 0644);
  auto swept = SweepStaleTempFiles(AgentFiles(fs, "/agent"));
  ASSERT_TRUE(swept.has_value());
  EXPECT_EQ(*swept, 2);
  EXPECT_FALSE(fs.Exists("/agent/.credentials_rsaparams.tmp.rnGOeF"));
  EXPECT_FALSE(fs.Exists("/agent/.agent.tmp.Q1w2E3"));
  EXPECT_TRUE(fs.Exists("/agent/.credentials_rsaparams"));
  EXPECT_TRUE(fs.Exists("/agent/_work/x.tmp.abcdef"));
  EXPECT_TRUE(fs.Exists("/agent/notes.tmp.abcdef"));
  EXPECT_EQ(*SweepStaleTempFiles(AgentFiles(fs, "/absent")), 0);
}

}  // namespace
}  // namespace agentboot::agent

// The no-follow file operations, the trust checks and the process hardening, on the real file
// system (security-review H2, H3, L8, L15). Ownership cases need root (CI runs as root); they
// give files to uids that need no account (4242, 4343), as a job's user would own them.
#include <cstdlib>
#include <filesystem>
#include <new>

#include <gtest/gtest.h>

#include "agentboot/base.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentboot {
namespace {

constexpr uid_t kOther = 4242;

class SecureFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "agentboot-sec-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void RequireRoot() {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  }
  static struct stat StatOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }
  std::string Make(const std::string& name, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(std::filesystem::create_directories(path));
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string dir_;
};

TEST_F(SecureFilesTest, WriteFileAtomicOwnedGivesTheFileBeforeItAppears) {
  RequireRoot();
  const std::string path = dir_ + "/.credentials";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomicOwned(path, "x", 0640, FileOwner{0, 4343}));
  const auto st = StatOf(path);
  EXPECT_EQ(st.st_uid, 0U);
  EXPECT_EQ(st.st_gid, 4343U);
  EXPECT_EQ(st.st_mode & 07777, 0640U);
  EXPECT_EQ(*PosixFileSystem().ReadFile(path), "x");
}

// H2 (B6a): a .credentials symlink to a root file must not hand that file over.
TEST_F(SecureFilesTest, ChownNoFollowRefusesASymlinkAndLeavesItsTarget) {
  RequireRoot();
  const std::string victim = dir_ + "/shadow-copy";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(victim, "root:x:0", 0600));
  ASSERT_EQ(::symlink(victim.c_str(), (dir_ + "/.credentials").c_str()), 0);
  auto owned =
      PosixFileSystem().ChownNoFollow(dir_, ".credentials", FileOwner{kOther, kOther}, 0644);
  ASSERT_FALSE(owned.has_value());
  EXPECT_EQ(owned.error().code, ErrorCode::kInvalidArgument);
  const auto st = StatOf(victim);
  EXPECT_EQ(st.st_uid, 0U);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
  EXPECT_TRUE(S_ISLNK(StatOf(dir_ + "/.credentials").st_mode));
}

TEST_F(SecureFilesTest, ChownNoFollowChangesARegularFileAndRefusesOthers) {
  RequireRoot();
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(dir_ + "/.agent", "{}", 0600));
  ASSERT_TRUE(PosixFileSystem().ChownNoFollow(dir_, ".agent", FileOwner{kOther, 4343}, 0640));
  EXPECT_EQ(StatOf(dir_ + "/.agent").st_uid, kOther);
  EXPECT_EQ(StatOf(dir_ + "/.agent").st_mode & 07777, 0640U);
  ASSERT_EQ(::mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(PosixFileSystem().ChownNoFollow(dir_, "fifo", FileOwner{kOther, 0}, {}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(StatOf(dir_ + "/fifo").st_uid, 0U);
  ASSERT_EQ(::link((dir_ + "/.agent").c_str(), (dir_ + "/hard").c_str()), 0);
  EXPECT_FALSE(PosixFileSystem().ChownNoFollow(dir_, "hard", FileOwner{0, 0}, {}));
  EXPECT_EQ(PosixFileSystem().ChownNoFollow(dir_, "absent", FileOwner{0, 0}, {}).error().code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(PosixFileSystem().ChownNoFollow(dir_, "../x", FileOwner{0, 0}, {}));
}

// L8 (C4, C14): no symlink followed, no hang on a FIFO, a size limit before reading.
TEST_F(SecureFilesTest, ReadRegularFileRefusesSymlinksFifosAndLargeFiles) {
  FileSystem& fs = PosixFileSystem();
  ASSERT_TRUE(fs.WriteFileAtomic(dir_ + "/outside", "secret", 0600));
  ASSERT_EQ(::symlink((dir_ + "/outside").c_str(), (dir_ + "/link.key").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir_ + "/pipe.key").c_str(), 0600), 0);
  ASSERT_TRUE(fs.WriteFileAtomic(dir_ + "/big.key", std::string(100, 'k'), 0600));
  ASSERT_TRUE(fs.WriteFileAtomic(dir_ + "/good.key", "abc", 0600));
  EXPECT_EQ(fs.ReadRegularFile(dir_ + "/link.key", 4096).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadRegularFile(dir_ + "/pipe.key", 4096).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadRegularFile(dir_ + "/big.key", 99).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadRegularFile(dir_ + "/none.key", 99).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*fs.ReadRegularFile(dir_ + "/good.key", 3), "abc");
}

TEST_F(SecureFilesTest, TrustedDirectoryAcceptsRootOwnedChains) {
  const std::string agent = Make("agent", 0755);
  EXPECT_TRUE(CheckTrustedDirectory(agent, {}))
      << CheckTrustedDirectory(agent, {}).error().ToString();
  // Not created yet: judged by what exists above it (here the temp dir, then /tmp: sticky).
  EXPECT_TRUE(CheckTrustedDirectory(agent + "/not/yet", {}));
}

// H3 (B7): an agent directory that others can write is refused.
TEST_F(SecureFilesTest, TrustedDirectoryRefusesWorldOrGroupWritableDirectories) {
  const std::string world = Make("world", 0777);
  auto refused = CheckTrustedDirectory(world, {});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().detail.find("writable"), std::string::npos);
  EXPECT_FALSE(refused.error().advice.empty());
  EXPECT_FALSE(CheckTrustedDirectory(Make("group", 0775), {}));
  // Sticky is no excuse for the directory itself, only for a root-owned parent (/tmp).
  EXPECT_FALSE(CheckTrustedDirectory(Make("sticky", 01777), {}));
  EXPECT_TRUE(CheckTrustedDirectory(Make("sticky/agent", 0755), {}));
  // A safe directory under a writable parent is refused: the parent's users could swap it.
  Make("open", 0777);
  EXPECT_FALSE(CheckTrustedDirectory(Make("open/agent", 0755), {}));
}

TEST_F(SecureFilesTest, TrustedDirectoryChecksOwners) {
  RequireRoot();
  const std::string agent = Make("agent", 0755);
  ASSERT_EQ(::chown(agent.c_str(), kOther, kOther), 0);
  EXPECT_FALSE(CheckTrustedDirectory(agent, {}));
  // The --run-as user may own the agent directory itself (an older release handed it over)...
  EXPECT_TRUE(CheckTrustedDirectory(agent, {kOther}));
  // ...but never a parent: a sticky parent owned by someone else, or any other parent of theirs.
  const std::string parent = Make("theirs", 0755);
  const std::string inside = Make("theirs/agent", 0755);
  ASSERT_EQ(::chown(parent.c_str(), kOther, kOther), 0);
  EXPECT_FALSE(CheckTrustedDirectory(inside, {kOther}));
  const std::string sticky = Make("sticky", 01777);
  ASSERT_EQ(::chown(sticky.c_str(), kOther, kOther), 0);
  EXPECT_FALSE(CheckTrustedDirectory(Make("sticky/agent", 0755), {}));
}

TEST_F(SecureFilesTest, TrustedDirectoryFollowsSymlinksAndChecksBothChains) {
  RequireRoot();
  Make("open", 0777);
  const std::string real = Make("open/real", 0755);
  const std::string link = dir_ + "/link";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_FALSE(CheckTrustedDirectory(link, {}));  // the resolved chain has "open"
  const std::string safe = Make("safe", 0755);
  ASSERT_EQ(::symlink(safe.c_str(), (dir_ + "/theirs").c_str()), 0);
  ASSERT_EQ(::lchown((dir_ + "/theirs").c_str(), kOther, kOther), 0);
  EXPECT_FALSE(CheckTrustedDirectory(dir_ + "/theirs", {}));  // their link, re-pointable
  ASSERT_EQ(::lchown((dir_ + "/theirs").c_str(), 0, 0), 0);
  EXPECT_TRUE(CheckTrustedDirectory(dir_ + "/theirs", {}));
}

// M1/M3: a control file is trusted only when regular, ours or root's, and writable by no one
// else; its content comes from the descriptor that was checked.
TEST_F(SecureFilesTest, TrustedFileRefusesLinksForeignOwnersAndOpenModes) {
  FileSystem& fs = PosixFileSystem();
  ASSERT_TRUE(fs.WriteFileAtomic(dir_ + "/.agent", "{}", 0600));
  EXPECT_EQ(*ReadTrustedFile(dir_ + "/.agent", 100), "{}");
  EXPECT_FALSE(ReadTrustedFile(dir_ + "/.agent", 1));
  ASSERT_EQ(::symlink((dir_ + "/.agent").c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(ReadTrustedFile(dir_ + "/link", 100).error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(::mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(ReadTrustedFile(dir_ + "/fifo", 100).error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(::chmod((dir_ + "/.agent").c_str(), 0666), 0);
  EXPECT_FALSE(ReadTrustedFile(dir_ + "/.agent", 100));
  EXPECT_EQ(ReadTrustedFile(dir_ + "/absent", 100).error().code, ErrorCode::kNotFound);
  if (::geteuid() != 0) return;
  ASSERT_EQ(::chmod((dir_ + "/.agent").c_str(), 0600), 0);
  ASSERT_EQ(::chown((dir_ + "/.agent").c_str(), kOther, kOther), 0);
  EXPECT_FALSE(ReadTrustedFile(dir_ + "/.agent", 100));
}

TEST_F(SecureFilesTest, AnyOwnerAcceptsTheDirectoryItselfButNotItsParents) {
  RequireRoot();
  const std::string agent = Make("agent", 0755);
  ASSERT_EQ(::chown(agent.c_str(), kOther, kOther), 0);
  EXPECT_TRUE(CheckTrustedDirectory(agent, {std::nullopt, true}));
  ASSERT_EQ(::chmod(agent.c_str(), 0775), 0);
  EXPECT_FALSE(CheckTrustedDirectory(agent, {std::nullopt, true}));
}

// L15: not dumpable, no core file; checked in a child so the test runner keeps its own settings.
TEST(ProcessHardening, DisableCoreDumpsMakesTheProcessNonDumpable) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!DisableCoreDumps()) ::_exit(1);
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(2);
    rlimit limit{};
    if (::getrlimit(RLIMIT_CORE, &limit) != 0 || limit.rlim_cur != 0) ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// L15: a Secret's bytes are zeroed when it dies (a short value lives inside the object itself,
// so its storage can be inspected after the destructor ran).
TEST(SecretMemory, DestructorZeroesTheValue) {
  alignas(Secret) unsigned char storage[sizeof(Secret)];
  auto* secret = new (storage) Secret(std::string("tok-12345"));
  ASSERT_EQ(secret->Reveal(), "tok-12345");
  secret->~Secret();
  const std::string bytes(reinterpret_cast<const char*>(storage), sizeof storage);
  EXPECT_EQ(bytes.find("tok-12345"), std::string::npos);
}

TEST(SecretMemory, MovedFromSecretIsEmptyAndZeroed) {
  alignas(Secret) unsigned char storage[sizeof(Secret)];
  auto* secret = new (storage) Secret(std::string("tok-67890"));
  Secret moved(std::move(*secret));
  EXPECT_EQ(moved.Reveal(), "tok-67890");
  const std::string bytes(reinterpret_cast<const char*>(storage), sizeof storage);
  EXPECT_EQ(bytes.find("tok-67890"), std::string::npos);
  secret->~Secret();
}

}  // namespace
}  // namespace agentboot

// The FileSystem operations for trees, links, owners and locks, held to one contract on the real
// disk (PosixFileSystem, in a temp directory) and on the in-memory fake (MemFileSystem), so unit
// tests through the fake see what production sees.
#include <cerrno>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/base_testing.h"

#include <fcntl.h>
#include <unistd.h>

namespace agentboot {
namespace {

struct OnDisk {
  OnDisk() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "agentboot-seam-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) root = pattern;
  }
  ~OnDisk() {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  }
  FileSystem& fs() { return PosixFileSystem(); }
  std::string root;
};

struct InMemory {
  InMemory() {
    mem.SetSelf(FileOwner{::geteuid(), ::getegid()});
    mem.PutDirectory(root, 0700);
  }
  FileSystem& fs() { return mem; }
  testing::MemFileSystem mem;
  std::string root = "/seam";
};

template <typename Backend>
class FileSeamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(backend_.root.empty()); }
  FileSystem& fs() { return backend_.fs(); }
  std::string At(const std::string& name) { return backend_.root + "/" + name; }
  Backend backend_;
};

using Backends = ::testing::Types<OnDisk, InMemory>;
TYPED_TEST_SUITE(FileSeamTest, Backends);

TYPED_TEST(FileSeamTest, LstatReportsASymlinkWithoutFollowingIt) {
  FileSystem& fs = this->fs();
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("file"), "abc", 0640));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("link"), this->At("file")));
  ASSERT_TRUE(fs.CreateDirectories(this->At("dir"), 0750));
  const auto file = fs.Lstat(this->At("file"));
  ASSERT_TRUE(file);
  EXPECT_EQ(file->kind, EntryKind::kRegular);
  EXPECT_EQ(file->size, 3U);
  EXPECT_EQ(file->mode, 0640U);
  EXPECT_EQ(file->owner.uid, ::geteuid());
  EXPECT_EQ(fs.Lstat(this->At("link"))->kind, EntryKind::kSymlink);
  EXPECT_EQ(fs.Lstat(this->At("dir"))->kind, EntryKind::kDirectory);
  EXPECT_EQ(fs.Lstat(this->At("absent")).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(FileSeamTest, RenameMovesATreeAndRefusesANonEmptyDirectory) {
  FileSystem& fs = this->fs();
  ASSERT_TRUE(fs.CreateDirectories(this->At("a"), 0755));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("a/x"), "x", 0644));
  ASSERT_TRUE(fs.Rename(this->At("a"), this->At("b")));
  EXPECT_EQ(*fs.ReadFile(this->At("b/x")), "x");
  EXPECT_EQ(fs.Lstat(this->At("a")).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(fs.CreateDirectories(this->At("c"), 0755));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("c/y"), "y", 0644));
  const auto refused = fs.Rename(this->At("b"), this->At("c"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(*fs.ReadFile(this->At("c/y")), "y");
  EXPECT_EQ(fs.Rename(this->At("absent"), this->At("d")).error().code, ErrorCode::kNotFound);
}

TYPED_TEST(FileSeamTest, ReplaceSymlinkRepointsTheLinkAndLeavesNoTemporary) {
  FileSystem& fs = this->fs();
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("v1"), "one", 0644));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("v2"), "two", 0644));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("current"), this->At("v1")));
  EXPECT_EQ(*fs.ReadFile(this->At("current")), "one");
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("current"), this->At("v2")));
  EXPECT_EQ(*fs.ReadFile(this->At("current")), "two");
  EXPECT_EQ(fs.ListDirectory(this->backend_.root)->size(), 3U) << "v1, v2 and current only";
}

TYPED_TEST(FileSeamTest, RemoveTreeUnlinksSymlinksAndNeverTouchesTheirTargets) {
  FileSystem& fs = this->fs();
  ASSERT_TRUE(fs.CreateDirectories(this->At("outside"), 0755));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("outside/keep"), "k", 0644));
  ASSERT_TRUE(fs.CreateDirectories(this->At("tree/sub"), 0755));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("tree/sub/file"), "f", 0644));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("tree/sub/escape"), this->At("outside")));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("dirlink"), this->At("outside")));

  ASSERT_TRUE(fs.RemoveTree(this->At("tree")));
  EXPECT_EQ(fs.Lstat(this->At("tree")).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(fs.RemoveTree(this->At("dirlink")));  // the link goes, not what it names
  EXPECT_EQ(fs.Lstat(this->At("dirlink")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*fs.ReadFile(this->At("outside/keep")), "k");
  EXPECT_TRUE(fs.RemoveTree(this->At("absent")));
}

TYPED_TEST(FileSeamTest, MakeTempDirectoryGivesANewPrivateDirectoryEachTime) {
  FileSystem& fs = this->fs();
  const auto first = fs.MakeTempDirectory(this->At(".tmp-"));
  const auto second = fs.MakeTempDirectory(this->At(".tmp-"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(StartsWith(*first, this->At(".tmp-")));
  const auto info = fs.Lstat(*first);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->kind, EntryKind::kDirectory);
  EXPECT_EQ(info->mode, 0700U);
}

TYPED_TEST(FileSeamTest, ChownDirectoryNoFollowRefusesLinksAndFilesAndLeavesThem) {
  FileSystem& fs = this->fs();
  const FileOwner self{::geteuid(), ::getegid()};
  ASSERT_TRUE(fs.CreateDirectories(this->At("dir"), 0700));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("link"), this->At("dir")));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("file"), "f", 0600));

  const auto through_link = fs.ChownDirectoryNoFollow(this->At("link"), self, 0755);
  ASSERT_FALSE(through_link);
  EXPECT_EQ(through_link.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.Lstat(this->At("dir"))->mode, 0700U) << "the link's target is left as it is";
  EXPECT_EQ(fs.ChownDirectoryNoFollow(this->At("file"), self, 0755).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ChownDirectoryNoFollow(this->At("absent"), self, 0755).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(fs.ChownDirectoryNoFollow(this->At("dir"), self, 0750));
  EXPECT_EQ(fs.Lstat(this->At("dir"))->mode, 0750U);
  EXPECT_EQ(fs.Lstat(this->At("dir"))->owner, self);
}

TYPED_TEST(FileSeamTest, LockIsExclusiveBetweenOpenFilesUntilReleased) {
  FileSystem& fs = this->fs();
  const std::string path = this->At(".lock");
  auto held = fs.Lock(path, LockRequest{});
  ASSERT_TRUE(held) << held.error().ToString();
  EXPECT_EQ(fs.Lstat(path)->mode, 0600U);
  EXPECT_EQ(fs.Lock(path, LockRequest{}).error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(fs.ProbeLock(path, true)->held);
  held->reset();
  EXPECT_FALSE(fs.ProbeLock(path, true)->held);

  LockRequest shared;
  shared.exclusive = false;
  auto reader1 = fs.Lock(path, shared);
  auto reader2 = fs.Lock(path, shared);
  ASSERT_TRUE(reader1);
  ASSERT_TRUE(reader2) << "shared locks share";
  EXPECT_EQ(fs.Lock(path, LockRequest{}).error().code, ErrorCode::kAlreadyExists);
}

TYPED_TEST(FileSeamTest, LockRefusesSymlinksAndFilesOthersCanWrite) {
  FileSystem& fs = this->fs();
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("target"), "", 0600));
  ASSERT_TRUE(fs.ReplaceSymlink(this->At("link.lock"), this->At("target")));
  ASSERT_TRUE(fs.WriteFileAtomic(this->At("open.lock"), "", 0664));
  LockRequest request;
  request.private_to_self = true;
  EXPECT_EQ(fs.Lock(this->At("link.lock"), request).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ProbeLock(this->At("link.lock"), false).error().code, ErrorCode::kInvalidArgument);
  request.create = false;
  EXPECT_EQ(fs.Lock(this->At("open.lock"), request).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(fs.ProbeLock(this->At("open.lock"), true).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fs.ProbeLock(this->At("open.lock"), false));
  EXPECT_EQ(fs.Lock(this->At("absent.lock"), request).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(fs.ProbeLock(this->At("absent.lock"), false).error().code, ErrorCode::kNotFound);
}

TEST(PosixError, MapsErrnoToCodesOnceWithTextAndAdvice) {
  EXPECT_EQ(PosixError("open /x", ENOENT).code, ErrorCode::kNotFound);
  EXPECT_EQ(PosixError("open /x", EACCES).code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(PosixError("open /x", EROFS).code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(PosixError("rename to /x", ENOTEMPTY).code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(PosixError("open /x", EIO).code, ErrorCode::kInternal);
  const Error error = PosixError("open /x", ENOSPC);
  EXPECT_EQ(error.context, "open /x");
  EXPECT_EQ(error.detail, ErrnoText(ENOSPC));
  EXPECT_NE(error.advice.find("Free space"), std::string::npos);
}

TEST(UniqueFd, ClosesWhatItOwnsAndMovesOwnership) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd first(raw);
    UniqueFd second(std::move(first));
    EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is tested
    EXPECT_EQ(second.get(), raw);
  }
  errno = 0;
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST(MemFileSystemDirectories, AreExplicitOnceMadeAndNotRemovedAsFiles) {
  testing::MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("/a/b", 0750));
  EXPECT_EQ(*fs.ListDirectory("/a"), std::vector<std::string>{"b"});
  EXPECT_TRUE(fs.Stat("/a/b")->is_directory);
  EXPECT_FALSE(fs.Remove("/a/b"));
  EXPECT_FALSE(fs.ReadFile("/a/b"));
  fs.FailWritesUnder("/a/");
  EXPECT_FALSE(fs.RemoveTree("/a/b"));
}

}  // namespace
}  // namespace agentboot

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "agentboot/base.h"

#include <sys/stat.h>

namespace agentboot {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "agentboot-fs-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PosixFileSystemTest, AtomicWriteReplacesContentAndSetsMode) {
  FileSystem& fs = PosixFileSystem();
  const std::string path = dir_ + "/.credentials";
  ASSERT_TRUE(fs.WriteFileAtomic(path, "old", 0644));
  ASSERT_TRUE(fs.WriteFileAtomic(path, "new", 0600));
  EXPECT_EQ(*fs.ReadFile(path), "new");
  EXPECT_EQ(fs.Stat(path)->mode, 0600U);
  // No temp file is left beside it.
  EXPECT_EQ(fs.ListDirectory(dir_)->size(), 1U);
}

TEST_F(PosixFileSystemTest, MissingFileIsNotFound) {
  const auto result = PosixFileSystem().ReadFile(dir_ + "/absent");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(PosixFileSystem().Remove(dir_ + "/absent"));
}

TEST_F(PosixFileSystemTest, WriteIntoMissingDirectoryFailsWithoutLeftovers) {
  const auto result = PosixFileSystem().WriteFileAtomic(dir_ + "/no/such/file", "x", 0600);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
}

TEST_F(PosixFileSystemTest, CreateDirectoriesMakesNestedPath) {
  ASSERT_TRUE(PosixFileSystem().CreateDirectories(dir_ + "/a/b/c", 0755));
  EXPECT_TRUE(PosixFileSystem().Stat(dir_ + "/a/b/c")->is_directory);
}

}  // namespace
}  // namespace agentboot

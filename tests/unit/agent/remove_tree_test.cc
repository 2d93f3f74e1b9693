// detail::RemoveTree: removes a tree without ever following a symlink in it (the tree may be
// writable by the --run-as user; what a link points at must survive).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "package_disk.h"
#include <stdlib.h>

namespace agentboot::agent::detail {
namespace {

namespace fs = std::filesystem;

class RemoveTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "remove-tree-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    fs::create_directories(base_ / "outside" / "kept");
    std::ofstream(base_ / "outside" / "kept" / "file") << "keep me";
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
};

TEST_F(RemoveTreeTest, RemovesNestedDirectoriesFilesAndLinksButNotWhatTheLinksPointAt) {
  const fs::path tree = base_ / "tree";
  fs::create_directories(tree / "a" / "b" / "c");
  std::ofstream(tree / "a" / "b" / "c" / "deep") << "x";
  std::ofstream(tree / "top") << "y";
  fs::create_directory_symlink(base_ / "outside", tree / "a" / "to-outside");
  fs::create_symlink(base_ / "outside" / "kept" / "file", tree / "a" / "b" / "to-file");
  fs::permissions(tree / "a" / "b",
                  fs::perms::owner_read | fs::perms::owner_exec | fs::perms::owner_write);

  ASSERT_TRUE(RemoveTree(tree.string()));

  EXPECT_FALSE(fs::exists(fs::symlink_status(tree)));
  EXPECT_TRUE(fs::is_regular_file(base_ / "outside" / "kept" / "file"));
}

TEST_F(RemoveTreeTest, ALinkGivenAsTheTreeIsRemovedAndItsTargetKept) {
  fs::create_directory_symlink(base_ / "outside", base_ / "link");
  ASSERT_TRUE(RemoveTree((base_ / "link").string()));
  EXPECT_FALSE(fs::exists(fs::symlink_status(base_ / "link")));
  EXPECT_TRUE(fs::is_regular_file(base_ / "outside" / "kept" / "file"));
}

TEST_F(RemoveTreeTest, AMissingPathAndAPlainFileAreFine) {
  EXPECT_TRUE(RemoveTree((base_ / "missing").string()));
  std::ofstream(base_ / "plain") << "z";
  EXPECT_TRUE(RemoveTree((base_ / "plain").string()));
  EXPECT_FALSE(fs::exists(base_ / "plain"));
}

}  // namespace
}  // namespace agentboot::agent::detail

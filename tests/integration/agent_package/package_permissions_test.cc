// security-review L5 (D14c): a package with setuid files, foreign owners and world-writable modes
// is unpacked into the root-owned cache without any of them.
#include <filesystem>

#include "package_fixture.h"
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::agent::testing {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& content, mode_t mode) {
  fs::create_directories(fs::path(path).parent_path());
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(path, content, 0644).has_value());
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

// A hostile package: bin/suidtest 4755, a 0666 file owned by uid 1001, a setgid 2777 directory.
std::string MakeHostileTarball(const std::string& dir) {
  const std::string staging = dir + "/hostile";
  Write(staging + "/bin/Agent.Listener",
        "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 4.262.0; fi\n", 0755);
  Write(staging + "/bin/suidtest", "#!/bin/sh\n", 04755);
  Write(staging + "/shared/open.txt", "anyone may write me", 0666);
  EXPECT_EQ(::chown((staging + "/shared/open.txt").c_str(), 1001, 1001), 0);
  EXPECT_EQ(::chmod((staging + "/shared").c_str(), 02777), 0);
  Write(staging + "/config.sh", "#!/bin/sh\n", 0755);
  Write(staging + "/run.sh", "#!/bin/sh\n", 0755);
  const std::string tarball = dir + "/hostile.tar.gz";
  ProcessSpec spec;
  spec.argv = {"tar", "--numeric-owner", "-czf", tarball, "-C", staging, "."};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  const auto made = PosixProcessRunner().Run(spec);
  EXPECT_TRUE(made.has_value() && made->exit_code == 0);
  return tarball;
}

TEST_F(PackageTest, UnpackDropsSetuidBitsForeignOwnersAndWritableModes) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (a package's owners apply only for root)";
  PackageOptions options = Options();
  options.package_source = MakeHostileTarball(dir_);
  const auto prepared = Prepare(options, root_, /*with_client=*/false);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();

  int checked = 0;
  bool saw_suidtest = false;
  for (const auto& entry : fs::recursive_directory_iterator(cache_)) {
    struct stat st {};
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    if (S_ISLNK(st.st_mode)) continue;
    ++checked;
    saw_suidtest = saw_suidtest || entry.path().filename() == "suidtest";
    EXPECT_EQ(st.st_mode & (S_ISUID | S_ISGID | S_ISVTX), 0U) << entry.path();
    EXPECT_EQ(st.st_mode & (S_IWGRP | S_IWOTH), 0U) << entry.path();
    EXPECT_EQ(st.st_uid, 0U) << entry.path();
    EXPECT_EQ(st.st_gid, 0U) << entry.path();
  }
  EXPECT_TRUE(saw_suidtest);
  EXPECT_GT(checked, 5);
}

TEST_F(PackageTest, UnpackRefusesAPackageWithADevice) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mknod)";
  const std::string staging = dir_ + "/device";
  Write(staging + "/bin/Agent.Listener", "#!/bin/sh\necho 4.263.0\n", 0755);
  ASSERT_EQ(::mknod((staging + "/bin/fifo").c_str(), S_IFIFO | 0666, 0), 0);
  const std::string tarball = dir_ + "/device.tar.gz";
  ProcessSpec spec;
  spec.argv = {"tar", "-czf", tarball, "-C", staging, "."};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  ASSERT_EQ(PosixProcessRunner().Run(spec)->exit_code, 0);
  PackageOptions options = Options();
  options.package_source = tarball;
  const auto prepared = Prepare(options, root_, /*with_client=*/false);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_NE(prepared.error().detail.find("FIFO"), std::string::npos) << prepared.error().ToString();
}

}  // namespace
}  // namespace agentboot::agent::testing

// PrepareAgent end to end: download, cache reuse without network, hash mismatch, pre-baked
// roots, local tarballs, API fallback and concurrent preparers.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <thread>

#include "agentboot/http.h"

#include "package_fixture.h"

namespace agentboot::agent::testing {
namespace {

namespace fs = std::filesystem;

// The server's hashValue may be upper case; the comparison ignores case (agent-contract §6).
std::string ToUpperHex(std::string hex) {
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The root's own bin.<v>/externals.<v> trees (hard links of the cache), relative links to them,
// the top-level scripts as regular files, and a listener whose resolved path stays in the root:
// the real apphost takes the parent of its real directory as its root (agent-audit D1).
void ExpectLaidOut(const std::string& root, const std::string& version) {
  EXPECT_EQ(fs::read_symlink(root + "/bin").string(), "bin." + version);
  EXPECT_EQ(fs::read_symlink(root + "/externals").string(), "externals." + version);
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(root + "/bin." + version)));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(root + "/config.sh")));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(root + "/run.sh")));
  const fs::path listener = fs::canonical(root + "/bin/Agent.Listener");
  EXPECT_EQ(listener.parent_path().parent_path(), fs::canonical(root));
  EXPECT_TRUE(fs::is_regular_file(root + "/externals/node20_1/bin/node"));
}

TEST_F(PackageTest, DownloadsVerifiesUnpacksAndLinksTheRoot) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  const std::string hash = http::Sha256Hex(Slurp(tarball));
  ScriptPackage("4.260.0", Serve(tarball, /*via_redirect=*/true), ToUpperHex(hash));

  const auto prepared = Prepare(Options(), root_);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
  EXPECT_EQ(prepared->source, "download");
  EXPECT_EQ(prepared->version, "4.260.0");
  EXPECT_EQ(prepared->bytes_downloaded, Slurp(tarball).size());
  EXPECT_FALSE(prepared->pinned);
  EXPECT_EQ(prepared->package_dir, cache_ + "/4.260.0");
  ExpectLaidOut(root_, "4.260.0");
  EXPECT_EQ(Slurp(cache_ + "/4.260.0/.agentboot-package"),
            "version=4.260.0\nsha256=" + hash + "\n");
  EXPECT_EQ(Entries(cache_), (std::vector<std::string>{".lock", "4.260.0", "downloads"}));
  EXPECT_TRUE(Entries(cache_ + "/downloads").empty());  // the tarball is gone once unpacked
  EXPECT_EQ(transport_.request_count(), 1U);
  EXPECT_EQ(downloads(), 1);
  EXPECT_TRUE(log_.Contains("downloading agent package"));
}

TEST_F(PackageTest, PinnedCachedVersionUsesNoNetworkAtAll) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(Prepare(Options(), root_).has_value());
  const size_t requests = transport_.request_count();

  PackageOptions pinned = Options();
  pinned.pinned_version = "4.260.0";
  const auto again = Prepare(pinned, dir_ + "/second-agent");
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->source, "cache");
  EXPECT_EQ(again->version, "4.260.0");
  EXPECT_EQ(again->bytes_downloaded, 0U);
  EXPECT_TRUE(again->pinned);
  EXPECT_EQ(ListenerEnvironmentForPin(again->pinned).at("agent.disableupdate"), "true");
  EXPECT_EQ(transport_.request_count(), requests);
  EXPECT_EQ(downloads(), 1);
  ExpectLaidOut(dir_ + "/second-agent", "4.260.0");
}

TEST_F(PackageTest, UnpinnedRestartAsksOnceAndDownloadsNothing) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(Prepare(Options(), root_).has_value());
  const auto again = Prepare(Options(), root_);  // replaces its own links
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(again->source, "cache");
  EXPECT_EQ(transport_.request_count(), 2U);
  EXPECT_EQ(downloads(), 1);
  ExpectLaidOut(root_, "4.260.0");
}

TEST_F(PackageTest, HashMismatchIsRefusedAndNothingIsCached) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), std::string(64, 'a'));
  const auto prepared = Prepare(Options(), root_);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code, ErrorCode::kInternal);
  EXPECT_NE(prepared.error().detail.find("SHA-256 mismatch"), std::string::npos);
  EXPECT_FALSE(prepared.error().advice.empty());
  EXPECT_EQ(Entries(cache_), (std::vector<std::string>{".lock", "downloads"}));
  EXPECT_TRUE(Entries(cache_ + "/downloads").empty());
  EXPECT_FALSE(fs::exists(root_ + "/bin"));
}

TEST_F(PackageTest, TheListenerStartedFromTheRootFindsItsFilesThere) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(Prepare(Options(), root_).has_value());
  // What the real listener does at every start: _diag under the root it computes.
  ProcessSpec spec;
  spec.argv = {root_ + "/bin/Agent.Listener", "run"};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  ASSERT_EQ(PosixProcessRunner().Run(spec)->exit_code, 0);
  EXPECT_TRUE(fs::is_directory(root_ + "/_diag"));
  EXPECT_FALSE(fs::exists(cache_ + "/4.260.0/_diag")) << "the listener's root is in the cache";
  // The same inode as the cache's file: a hard link, not a copy.
  EXPECT_EQ(fs::hard_link_count(cache_ + "/4.260.0/bin/Agent.Listener"), 2U);
}

TEST_F(PackageTest, OldSymlinkLayoutIsReplacedWithoutWritingThroughIntoTheCache) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(Prepare(Options(), dir_ + "/first").has_value());
  // The previous release's layout: links into the cache.
  ASSERT_TRUE(PosixFileSystem().CreateDirectories(root_, 0755).has_value());
  fs::create_symlink(cache_ + "/4.260.0/bin", root_ + "/bin");
  fs::create_symlink(cache_ + "/4.260.0/config.sh", root_ + "/config.sh");
  const std::string before = Slurp(cache_ + "/4.260.0/config.sh");
  const auto prepared = Prepare(Options(), root_);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
  ExpectLaidOut(root_, "4.260.0");
  EXPECT_EQ(Slurp(cache_ + "/4.260.0/config.sh"), before);
}

TEST_F(PackageTest, ANewVersionSwitchesTheLinksAndPrunesTheOldTrees) {
  const std::string first = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(first), http::Sha256Hex(Slurp(first)));
  ASSERT_TRUE(Prepare(Options(), root_).has_value());
  const std::string second = MakeTarball("agent2.tar.gz", "4.261.0");
  ScriptPackage("4.261.0", Serve(second), http::Sha256Hex(Slurp(second)));
  const auto prepared = Prepare(Options(), root_);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
  EXPECT_EQ(prepared->version, "4.261.0");
  ExpectLaidOut(root_, "4.261.0");
  EXPECT_FALSE(fs::exists(root_ + "/bin.4.260.0"));
  EXPECT_FALSE(fs::exists(root_ + "/externals.4.260.0"));
}

TEST_F(PackageTest, AGroupWritablePrebakedListenerIsNeverRun) {
  const std::string listener = root_ + "/bin/Agent.Listener";
  const std::string witness = dir_ + "/ran";
  ASSERT_TRUE(PosixFileSystem().CreateDirectories(root_ + "/bin", 0755).has_value());
  ASSERT_TRUE(
      PosixFileSystem()
          .WriteFileAtomic(listener, "#!/bin/sh\ntouch " + witness + "\necho 3.248.0\n", 0775)
          .has_value());
  const auto prepared = Prepare(Options(), root_, /*with_client=*/false);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(prepared.error().advice.empty());
  EXPECT_FALSE(fs::exists(witness)) << "security-review H1: the listener was run";
}

TEST_F(PackageTest, PrebakedRootIsLeftAloneWithoutNetwork) {
  const std::string listener = root_ + "/bin/Agent.Listener";
  ASSERT_TRUE(PosixFileSystem().CreateDirectories(root_ + "/bin", 0755).has_value());
  ASSERT_TRUE(
      PosixFileSystem().WriteFileAtomic(listener, "#!/bin/sh\necho 3.248.0\n", 0755).has_value());
  const auto prepared = Prepare(Options(), root_, /*with_client=*/false);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
  EXPECT_EQ(prepared->source, "prebaked");
  EXPECT_EQ(prepared->version, "3.248.0");
  EXPECT_EQ(prepared->package_dir, root_);
  EXPECT_FALSE(fs::is_symlink(root_ + "/bin"));
  EXPECT_FALSE(fs::exists(cache_));
  EXPECT_EQ(transport_.request_count(), 0U);
  // The version query had a private diagnostics directory (agent-audit D5).
  EXPECT_FALSE(fs::exists(root_ + "/_diag"));
}

TEST_F(PackageTest, LocalTarballIsCachedByItsListenerVersionThenReused) {
  const std::string tarball = MakeTarball("custom.tar.gz", "4.261.0");
  PackageOptions options = Options();
  options.package_source = tarball;
  const auto first = Prepare(options, root_, /*with_client=*/false);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->source, "local");
  EXPECT_EQ(first->version, "4.261.0");
  EXPECT_TRUE(first->pinned);
  ExpectLaidOut(root_, "4.261.0");
  EXPECT_FALSE(fs::exists(cache_ + "/4.261.0/_diag")) << "the version query wrote into the cache";

  options.expected_sha256 = http::Sha256Hex(Slurp(tarball));
  const auto second = Prepare(options, root_, /*with_client=*/false);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->source, "cache");
  EXPECT_TRUE(fs::exists(tarball));  // a user's file is never deleted
}

TEST_F(PackageTest, LocalTarballWithWrongExpectedHashIsRefused) {
  PackageOptions options = Options();
  options.package_source = MakeTarball("custom.tar.gz", "4.261.0");
  options.expected_sha256 = std::string(64, 'b');
  const auto prepared = Prepare(options, root_, /*with_client=*/false);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(cache_ + "/4.261.0"));
}

TEST_F(PackageTest, UnreachableApiFallsBackToNewestCachedVersion) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(Prepare(Options(), root_).has_value());
  ScriptUnreachable();
  const auto prepared = Prepare(Options(), root_);
  ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
  EXPECT_EQ(prepared->source, "cache");
  EXPECT_EQ(prepared->version, "4.260.0");
  EXPECT_TRUE(log_.Contains("using the newest cached agent package"));
}

TEST_F(PackageTest, WithoutClientOrCacheTheServerStepIsAnInvalidArgument) {
  const auto prepared = Prepare(Options(), root_, /*with_client=*/false);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PackageTest, RealExternalsDirectoryIsNeverClobbered) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  ASSERT_TRUE(PosixFileSystem().CreateDirectories(root_ + "/externals", 0755).has_value());
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(root_ + "/externals/mine", "x", 0644).has_value());
  const auto prepared = Prepare(Options(), root_);
  ASSERT_FALSE(prepared.has_value());
  EXPECT_EQ(prepared.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Slurp(root_ + "/externals/mine"), "x");
}

TEST_F(PackageTest, ConcurrentPreparesShareOneCompleteCacheDirectory) {
  const std::string tarball = MakeTarball("agent.tar.gz", "4.260.0");
  ScriptPackage("4.260.0", Serve(tarball), http::Sha256Hex(Slurp(tarball)));
  Result<PreparedAgent> a = Fail(ErrorCode::kInternal, "not run", "");
  Result<PreparedAgent> b = Fail(ErrorCode::kInternal, "not run", "");
  std::thread first([&] { a = Prepare(Options(), dir_ + "/agent-a"); });
  std::thread second([&] { b = Prepare(Options(), dir_ + "/agent-b"); });
  first.join();
  second.join();
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  EXPECT_EQ(a->version, "4.260.0");
  EXPECT_EQ(b->version, "4.260.0");
  EXPECT_EQ(Entries(cache_), (std::vector<std::string>{".lock", "4.260.0", "downloads"}));
  EXPECT_EQ(downloads(), 1);  // the second waited on the lock and found the version complete
  ExpectLaidOut(dir_ + "/agent-b", "4.260.0");
}

}  // namespace
}  // namespace agentboot::agent::testing

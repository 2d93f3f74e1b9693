// The sequencing behind PrepareAgent (private to agentboot::agent). One object per call; its
// methods are spread over package_prepare.cc (the steps), package_fetch.cc (download and
// verify) and package_link.cc (linking the agent root, the result).
#pragma once

#include <cstdint>
#include <string>

#include "agentboot/agent.h"

#include "package_cache.h"
#include "package_disk.h"

namespace agentboot::agent::detail {

struct Fetched {
  std::string path;
  std::string sha256;  // lower-case hex
  uint64_t bytes = 0;  // 0 for a local file
};

class Preparer {
 public:
  // Every reference must outlive the object; `client` may be null.
  Preparer(devops::Client* client, http::Downloader& downloader, Env& env,
           const PackageOptions& options, const std::string& agent_root);

  [[nodiscard]] Result<PreparedAgent> Run();

 private:
  // True for a bin/ that is a real directory holding the listener, put there by an image build.
  // kPermissionDenied when such a bin/ (or its listener) could be changed by anyone but this
  // user: agentboot never runs a listener, or its --version, from there (security-review H1).
  Result<bool> IsPrebaked();
  Result<PreparedAgent> FromServer();
  Result<PreparedAgent> FromCache(const std::string& version, std::string source, uint64_t bytes);
  Result<PreparedAgent> FallBackToCache(Error error);
  Result<PreparedAgent> FromPackageSource();
  Result<Fetched> HashLocal(const std::string& path);
  Result<std::unique_ptr<FileLock>> LockCache();

  // Downloads `url` into the cache's downloads directory (up to 3 attempts) and checks
  // `expected_sha256` when given; kInternal on a mismatch. Nothing is left behind on failure.
  Result<Fetched> Fetch(const std::string& url, const std::string& file_name,
                        const std::string& expected_sha256);
  void LogProgress(uint64_t done, uint64_t total);

  // Lays `package_dir` (the cache's, of `version`) into the root; with an empty `version` the
  // root is pre-baked and its listener's --version is asked.
  Result<PreparedAgent> Finish(const std::string& package_dir, std::string version,
                               std::string source, uint64_t bytes);
  Status LayOut(const std::string& package_dir, const std::string& version);
  Status LayOutPart(const std::string& package_dir, const std::string& part,
                    const std::string& version);
  void SweepRootTemporaries();
  void PruneOtherVersions(const std::string& version);

  devops::Client* client_;
  uint64_t last_progress_ = UINT64_MAX;  // last size reported by LogProgress
  http::Downloader& downloader_;
  Env& env_;
  const PackageOptions& options_;
  std::string root_;
  PackageCache cache_;
};

}  // namespace agentboot::agent::detail

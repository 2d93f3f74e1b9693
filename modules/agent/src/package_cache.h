// The versioned package cache (private to agentboot::agent); layout in agent.h. Reading is
// lock-free (a version directory appears complete in one rename); Install must run under the
// cache's FileLock. Env and the directory must outlive the object.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentboot/base.h"

#include "package_plan.h"

namespace agentboot::agent::detail {

class PackageCache {
 public:
  PackageCache(Env& env, std::string dir);

  const std::string& dir() const noexcept { return dir_; }
  std::string VersionDir(const std::string& version) const { return dir_ + "/" + version; }
  std::string LockPath() const { return dir_ + "/.lock"; }
  std::string DownloadsDir() const { return dir_ + "/downloads"; }

  // Creates the cache and downloads directories.
  [[nodiscard]] Status Create();

  // The marker of a complete version: it parses, names this version and the listener is there.
  std::optional<PackageMarker> CompleteMarker(const std::string& version);
  bool IsComplete(const std::string& version) { return CompleteMarker(version).has_value(); }
  std::vector<std::string> CompleteVersions();
  // A complete version whose marker records this SHA-256, if any.
  std::optional<std::string> FindBySha256(const std::string& sha256);

  // Unpacks `tarball` (tar -xzf, 10 minutes) into a fresh temp directory, names it by
  // `version`, or by what its listener's --version prints when `version` is empty, writes the
  // marker and renames it into place. A complete directory already there wins (the temp one is
  // discarded); an incomplete one is replaced. Returns the version. REQUIRES: the lock is held.
  [[nodiscard]] Result<std::string> Install(const std::string& tarball, const std::string& sha256,
                                            const std::string& version);

  // Removes leftovers of interrupted unpacks. REQUIRES: the lock is held.
  void SweepTemporaries();

 private:
  [[nodiscard]] Status Unpack(const std::string& tarball, const std::string& into);
  [[nodiscard]] Result<std::string> Publish(const std::string& temp, const std::string& version,
                                            const std::string& sha256);

  Env& env_;
  std::string dir_;
};

}  // namespace agentboot::agent::detail

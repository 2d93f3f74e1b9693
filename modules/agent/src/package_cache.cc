#include "package_cache.h"

#include <chrono>

#include "agentboot/agent.h"

#include "package_disk.h"
#include "package_permissions.h"

namespace agentboot::agent::detail {
namespace {

constexpr uint32_t kDirMode = 0755;

}  // namespace

PackageCache::PackageCache(Env& env, std::string dir) : env_(env), dir_(std::move(dir)) {}

Status PackageCache::Create() {
  if (auto made = env_.fs.CreateDirectories(dir_, kDirMode); !made) return made;
  return env_.fs.CreateDirectories(DownloadsDir(), kDirMode);
}

std::optional<PackageMarker> PackageCache::CompleteMarker(const std::string& version) {
  if (!IsSafeVersion(version)) return std::nullopt;
  auto text = env_.fs.ReadFile(JoinPath(VersionDir(version), kMarkerFile));
  if (!text) return std::nullopt;
  auto marker = ParseMarker(*text);
  if (!marker || marker->version != version) return std::nullopt;
  if (!env_.fs.Exists(VersionDir(version) + "/bin/Agent.Listener")) return std::nullopt;
  return *marker;
}

std::vector<std::string> PackageCache::CompleteVersions() {
  std::vector<std::string> versions;
  auto names = env_.fs.ListDirectory(dir_);
  if (!names) return versions;
  for (const std::string& name : *names) {
    if (IsComplete(name)) versions.push_back(name);
  }
  return versions;
}

std::optional<std::string> PackageCache::FindBySha256(const std::string& sha256) {
  for (const std::string& version : CompleteVersions()) {
    const auto marker = CompleteMarker(version);
    if (marker && HashesEqual(marker->sha256, sha256)) return version;
  }
  return std::nullopt;
}

Result<std::string> PackageCache::Install(const std::string& tarball, const std::string& sha256,
                                          const std::string& version) {
  if (!version.empty() && !IsSafeVersion(version)) {
    return Fail(ErrorCode::kInvalidArgument, "agent package", "unsafe version '" + version + "'");
  }
  auto temp =
      env_.fs.MakeTempDirectory(dir_ + "/.tmp-" + (version.empty() ? "local" : version) + "-");
  if (!temp) return Fail(std::move(temp.error()));
  auto published = [&]() -> Result<std::string> {
    if (auto unpacked = Unpack(tarball, *temp); !unpacked) return Fail(unpacked.error());
    std::string name = version;
    if (name.empty()) {
      auto reported = ListenerVersion(env_, *temp);
      if (!reported) return Fail(std::move(reported.error()));
      if (!IsSafeVersion(*reported)) {
        return Fail(ErrorCode::kInvalidArgument, "agent package " + tarball,
                    "its listener reports an unusable version '" + *reported + "'");
      }
      name = *reported;
    }
    return Publish(*temp, name, sha256);
  }();
  (void)env_.fs.RemoveTree(*temp);  // gone already after a successful rename; best effort otherwise
  return published;
}

Status PackageCache::Unpack(const std::string& tarball, const std::string& into) {
  ProcessSpec spec;
  spec.argv = {"tar", kSafeTarOptions[0], kSafeTarOptions[1], "-xzf", tarball, "-C", into};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  spec.timeout = std::chrono::minutes(10);
  auto output = env_.processes.Run(spec);
  if (!output) return Fail(std::move(output.error()));
  if (output->timed_out || output->exit_code != 0) {
    return Fail(ErrorCode::kInternal, "unpack " + tarball,
                output->timed_out ? "tar timed out" : "tar: " + Trim(output->stderr_text),
                "The package is damaged or not a .tar.gz; delete it and try again.");
  }
  if (auto safe = MakePackageTreeSafe(into); !safe) return safe;
  if (!env_.fs.Exists(into + "/bin/Agent.Listener")) {
    return Fail(ErrorCode::kInternal, "unpack " + tarball, "no bin/Agent.Listener in the package",
                "Use an Azure Pipelines agent package (vsts-agent-<platform>-<version>.tar.gz).");
  }
  return {};
}

Result<std::string> PackageCache::Publish(const std::string& temp, const std::string& version,
                                          const std::string& sha256) {
  // The marker is written before the rename, so the directory appears complete in one step.
  const PackageMarker marker{version, NormalizeHash(sha256)};
  if (auto written =
          env_.fs.WriteFileAtomic(JoinPath(temp, kMarkerFile), FormatMarker(marker), 0644);
      !written) {
    return Fail(std::move(written.error()));
  }
  const std::string target = VersionDir(version);
  if (IsComplete(version)) return version;  // someone else's copy won; ours is discarded
  if (KindOf(env_.fs, target) != EntryKind::kMissing) {
    // Incomplete leftovers (a crash before this layout's atomic publish, a manual edit).
    if (auto removed = env_.fs.RemoveTree(target); !removed)
      return Fail(std::move(removed.error()));
  }
  if (auto renamed = env_.fs.Rename(temp, target); !renamed) {
    if (IsComplete(version)) return version;
    return Fail(std::move(renamed.error()));
  }
  return version;
}

void PackageCache::SweepTemporaries() {
  auto names = env_.fs.ListDirectory(dir_);
  if (!names) return;
  for (const std::string& name : *names) {
    if (StartsWith(name, ".tmp-")) (void)env_.fs.RemoveTree(JoinPath(dir_, name));
  }
}

}  // namespace agentboot::agent::detail

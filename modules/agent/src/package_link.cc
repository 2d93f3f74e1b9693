// Linking an agent root to a cached package, and the PrepareAgent entry point.
#include <string>

#include "agentboot/agent.h"

#include "package_preparer.h"

namespace agentboot::agent::detail {
namespace {

constexpr char kSource[] = "agent";

// The package's own directories: always linked, and a real directory there is an error.
bool IsPackageDirectory(const std::string& name) { return name == "bin" || name == "externals"; }

}  // namespace

Result<PreparedAgent> Preparer::Finish(const std::string& package_dir, std::string source,
                                       uint64_t bytes, bool link) {
  if (link) {
    if (auto linked = LinkRoot(package_dir); !linked) return Fail(std::move(linked.error()));
  }
  auto version = ListenerVersion(env_, root_);
  if (!version) return Fail(std::move(version.error()));
  if (!options_.pinned_version.empty() && *version != options_.pinned_version) {
    env_.log.Log(LogLevel::kWarning, kSource, "the listener's version differs from the pin",
                 {{"version", *version}, {"pinned", options_.pinned_version}});
  }
  PreparedAgent prepared;
  prepared.version = *version;
  prepared.package_dir = package_dir;
  prepared.source = std::move(source);
  prepared.bytes_downloaded = bytes;
  prepared.pinned = !options_.pinned_version.empty() || !options_.package_source.empty();
  env_.log.Log(
      LogLevel::kInfo, kSource, "agent package ready",
      {{"version", prepared.version}, {"source", prepared.source}, {"dir", prepared.package_dir}});
  return prepared;
}

Status Preparer::LinkRoot(const std::string& package_dir) {
  if (auto made = env_.fs.CreateDirectories(root_, 0755); !made) return made;
  auto names = env_.fs.ListDirectory(package_dir);
  if (!names) return Fail(std::move(names.error()));
  for (const std::string& name : {std::string("bin"), std::string("externals")}) {
    if (KindOf(package_dir + "/" + name) == EntryKind::kMissing) continue;
    if (auto linked = LinkEntry(name, package_dir + "/" + name, true); !linked) return linked;
  }
  for (const std::string& name : *names) {
    // Dot files are the root's own (.agent, .credentials*, .env, .path) or our marker.
    if (StartsWith(name, ".") || IsPackageDirectory(name)) continue;
    if (auto linked = LinkEntry(name, package_dir + "/" + name, false); !linked) return linked;
  }
  return {};
}

// A symlink (ours, or the self-updater's bin -> bin.<ver>) is replaced; a missing entry is
// created; a real file or directory is left alone, which is an error for bin and externals.
Status Preparer::LinkEntry(const std::string& name, const std::string& target, bool required) {
  const std::string link = root_ + "/" + name;
  const EntryKind kind = KindOf(link);
  if (kind == EntryKind::kDirectory || kind == EntryKind::kOther) {
    if (!required) return {};
    return Fail(ErrorCode::kAlreadyExists, "link " + link,
                "a real " + name + " that agentboot did not create is in the way",
                "Move it away, or point --agent-dir at an empty directory.");
  }
  return ReplaceSymlink(link, target);
}

}  // namespace agentboot::agent::detail

namespace agentboot::agent {

Result<PreparedAgent> PrepareAgent(devops::Client* client, http::Downloader& downloader, Env& env,
                                   const PackageOptions& options, const std::string& agent_root) {
  if (options.cache_dir.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "prepare the agent", "no package cache directory");
  }
  if (!options.pinned_version.empty() && !detail::IsSafeVersion(options.pinned_version)) {
    return Fail(ErrorCode::kInvalidArgument, "--agent-version",
                "'" + options.pinned_version + "' is not a version", "Use the form 4.260.0.");
  }
  return detail::Preparer(client, downloader, env, options, agent_root).Run();
}

}  // namespace agentboot::agent

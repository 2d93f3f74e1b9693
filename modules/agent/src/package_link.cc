// Laying a cached package into an agent root, and the PrepareAgent entry point.
//
// The listener is a .NET apphost: it finds itself through realpath("/proc/self/exe") and takes
// the parent of that directory as its root, where it reads .agent and .credentials* and writes
// _diag and _work (agent-audit D1). So the root's bin must resolve inside the root. Each root
// gets its own bin.<version> and externals.<version>, hard-link trees of the cache (copies across
// file systems), and relative links bin -> bin.<version>, externals -> externals.<version>: the
// layout the agent's own self-updater makes (update.sh.template:41-49). The package's top-level
// files (run.sh, config.sh, env.sh, ...) are regular files in the root, so that neither the
// scripts (which resolve their own symlinks) nor the self-updater (which copies over them) ever
// reach into the cache.
#include <string>

#include "agentboot/agent.h"

#include "package_preparer.h"

namespace agentboot::agent::detail {
namespace {

constexpr char kSource[] = "agent";

// The package's own directories, laid out per version.
bool IsPackageDirectory(const std::string& name) { return name == "bin" || name == "externals"; }

// "bin.4.260.0" -> true for part "bin" when the version differs from `keep`.
bool IsOtherVersion(const std::string& name, const std::string& keep) {
  for (const std::string part : {"bin.", "externals."}) {
    if (StartsWith(name, part)) return name.substr(part.size()) != keep;
  }
  return false;
}

}  // namespace

Result<PreparedAgent> Preparer::Finish(const std::string& package_dir, std::string version,
                                       std::string source, uint64_t bytes) {
  if (version.empty()) {  // a pre-baked root: ask its listener
    auto reported = ListenerVersion(env_, root_);
    if (!reported) return Fail(std::move(reported.error()));
    version = *reported;
  } else if (auto laid = LayOut(package_dir, version); !laid) {
    return Fail(std::move(laid.error()));
  }
  if (!options_.pinned_version.empty() && version != options_.pinned_version) {
    env_.log.Log(LogLevel::kWarning, kSource, "the listener's version differs from the pin",
                 {{"version", version}, {"pinned", options_.pinned_version}});
  }
  PreparedAgent prepared;
  prepared.version = std::move(version);
  prepared.package_dir = package_dir;
  prepared.source = std::move(source);
  prepared.bytes_downloaded = bytes;
  prepared.pinned = !options_.pinned_version.empty() || !options_.package_source.empty();
  env_.log.Log(
      LogLevel::kInfo, kSource, "agent package ready",
      {{"version", prepared.version}, {"source", prepared.source}, {"dir", prepared.package_dir}});
  return prepared;
}

Status Preparer::LayOut(const std::string& package_dir, const std::string& version) {
  if (auto made = env_.fs.CreateDirectories(root_, 0755); !made) return made;
  SweepRootTemporaries();
  for (const std::string part : {"bin", "externals"}) {
    if (KindOf(env_.fs, JoinPath(package_dir, part)) == EntryKind::kMissing) continue;
    if (auto laid = LayOutPart(package_dir, part, version); !laid) return laid;
  }
  auto names = env_.fs.ListDirectory(package_dir);
  if (!names) return Fail(std::move(names.error()));
  for (const std::string& name : *names) {
    // Dot files are the root's own (.agent, .credentials*, .env, .path) or the cache's marker.
    const std::string from = JoinPath(package_dir, name);
    if (StartsWith(name, ".") || IsPackageDirectory(name) ||
        KindOf(env_.fs, from) != EntryKind::kOther) {
      continue;
    }
    if (KindOf(env_.fs, JoinPath(root_, name)) == EntryKind::kDirectory)
      continue;  // not ours to replace
    if (auto copied = CopyFileReplacing(from, JoinPath(root_, name)); !copied) return copied;
  }
  PruneOtherVersions(version);
  return {};
}

// <root>/<part>.<version> as a hard-link tree of the cache (made under a temporary name and
// renamed, so it exists only complete), then <root>/<part> -> <part>.<version>.
Status Preparer::LayOutPart(const std::string& package_dir, const std::string& part,
                            const std::string& version) {
  const std::string versioned = JoinPath(root_, part) + "." + version;
  const bool complete = KindOf(env_.fs, versioned) == EntryKind::kDirectory &&
                        (part != "bin" || env_.fs.Exists(versioned + "/Agent.Listener"));
  if (!complete) {
    if (auto removed = env_.fs.RemoveTree(versioned); !removed) return removed;
    auto temp = env_.fs.MakeTempDirectory(root_ + "/.tmp-" + part + "." + version + "-");
    if (!temp) return Fail(std::move(temp.error()));
    (void)env_.fs.RemoveTree(*temp);  // LinkTree creates it with the source's mode
    Status linked = LinkTree(JoinPath(package_dir, part), *temp);
    if (linked) linked = env_.fs.Rename(*temp, versioned);
    if (!linked) {
      (void)env_.fs.RemoveTree(*temp);
      return linked;
    }
  }
  const std::string link = JoinPath(root_, part);
  if (KindOf(env_.fs, link) == EntryKind::kDirectory ||
      KindOf(env_.fs, link) == EntryKind::kOther) {
    return Fail(ErrorCode::kAlreadyExists, "link " + link,
                "a real " + part + " that agentboot did not create is in the way",
                "Move it away, or point --agent-dir at an empty directory.");
  }
  return env_.fs.ReplaceSymlink(link, part + "." + version);
}

// Leftovers of a LayOutPart that was interrupted.
void Preparer::SweepRootTemporaries() {
  auto names = env_.fs.ListDirectory(root_);
  if (!names) return;
  for (const std::string& name : *names) {
    if (StartsWith(name, ".tmp-bin.") || StartsWith(name, ".tmp-externals.")) {
      (void)env_.fs.RemoveTree(JoinPath(root_, name));
    }
  }
}

// After a successful switch, the other versions' trees only take space (the self-updater
// leaves them behind too).
void Preparer::PruneOtherVersions(const std::string& version) {
  auto names = env_.fs.ListDirectory(root_);
  if (!names) return;
  for (const std::string& name : *names) {
    if (!IsOtherVersion(name, version) ||
        KindOf(env_.fs, JoinPath(root_, name)) != EntryKind::kDirectory) {
      continue;
    }
    if (auto removed = env_.fs.RemoveTree(JoinPath(root_, name)); !removed) {
      env_.log.Log(LogLevel::kWarning, kSource, "could not remove an old agent version",
                   {{"dir", JoinPath(root_, name)}, {"error", removed.error().ToString()}});
    }
  }
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

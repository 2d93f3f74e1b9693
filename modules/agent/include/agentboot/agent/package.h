// agentboot::agent, the agent package: resolve, download, verify, unpack into the
// shared cache and link an agent root to it.
// Part of agentboot/agent.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/agent/files.h"
#include "agentboot/agent/registration.h"
#include "agentboot/agent/rotation.h"
#include "agentboot/base.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::agent {

// The agent package (agent-contract §6): resolve it, download and verify it, unpack it into a
// versioned cache shared by every agent root of the host, and link an agent root to it.
//
// Cache layout (PackageOptions::cache_dir):
//   <version>/                     an unpacked package, published by one rename(2)
//   <version>/.agentboot-package   "version=<v>\nsha256=<hex>\n": written last, before the
//                                  rename; a directory without it is incomplete and replaced
//   downloads/<filename>[.part]    a tarball in flight; deleted once unpacked
//   .tmp-<version>-XXXXXX/         an unpack in progress (stale ones are swept under the lock)
//   .lock                          flock(2), held around download + unpack
// An agent root prepared from the cache holds bin.<v>/ and externals.<v>/ (hard-link trees of
// <cache>/<v>, copies across file systems), the relative links bin -> bin.<v> and externals ->
// externals.<v>, and the package's top-level files (config.sh, run.sh, …) as regular files: the
// listener's root is the parent of its resolved bin, so nothing may point into the cache
// (agent-audit D1). It is the self-updater's own layout; other versions are pruned.

// Set (non-empty) in the listener's environment, it ignores update messages (§4 Self-update).
inline constexpr std::string_view kDisableUpdateVariable = "agent.disableupdate";

struct PackageOptions {
  std::string platform = "linux-x64";
  std::string pinned_version;   // "x.y.z" (--agent-version); empty = newest
  std::string package_source;   // a local tarball path or an http(s) URL (--agent-package)
  std::string expected_sha256;  // optional check of package_source; hex, case and '-' ignored
  std::string cache_dir;        // required; see DefaultCacheDir
};

struct PreparedAgent {
  std::string version;      // what <root>/bin/Agent.Listener --version printed
  std::string package_dir;  // <cache>/<version>, or the agent root for a pre-baked agent
  std::string source;       // "prebaked", "cache", "download" or "local"
  uint64_t bytes_downloaded = 0;
  bool pinned = false;  // a version or package was chosen: run the listener with updates disabled
};

// $AGENTBOOT_CACHE_DIR; else /var/cache/agentboot for root; else $XDG_CACHE_HOME/agentboot or
// $HOME/.cache/agentboot; else /var/tmp/agentboot. Empty and relative values are skipped.
std::string DefaultCacheDir(const Environment& vars, bool is_root);

// The agent's hash comparison: case-insensitive, '-' separators ignored (§6). Empty never matches.
bool HashesEqual(std::string_view a, std::string_view b);

// {kDisableUpdateVariable: "true"} when pinned, else empty: merge into the listener's environment.
std::map<std::string, std::string> ListenerEnvironmentForPin(bool pinned);

// Makes <agent_root> runnable, in this order:
//   a) <root>/bin is a real directory holding Agent.Listener: a pre-baked agent, used as it is
//      (no network, nothing written);
//   b) pinned_version is complete in the cache: linked with no network at all;
//   c) package_source: a local file is hashed, a URL downloaded, then unpacked (unless a cached
//      package has that SHA-256) and cached under the version its listener reports;
//   d) else the packages API (exact version when pinned, else the newest) and, unless cached,
//      a download verified against hashValue. When the API is unreachable and nothing is pinned,
//      the newest complete cached version is used with a warning.
// Then the cached package is laid into the root (see the layout above; a real directory named
// bin/externals is never replaced: kAlreadyExists). The version is the cache marker's; only a
// pre-baked root's listener is asked (ListenerVersion), and only when it and its bin/ belong to
// this user and nobody else can write them (kPermissionDenied). .agent and .credentials* are
// never touched. Errors: kInvalidArgument (no cache_dir, unsafe version, `client` null when the
// API is needed), kNotFound (no package / file), kInternal (hash mismatch: nothing is cached),
// and the client's and downloader's errors. Safe to run concurrently in several processes and
// threads against one cache. `client` may be null; the seams must outlive the call.
[[nodiscard]] Result<PreparedAgent> PrepareAgent(devops::Client* client,
                                                 http::Downloader& downloader, Env& env,
                                                 const PackageOptions& options,
                                                 const std::string& agent_root);

// The fallback registrar (`--registrar agent`, and the only way on Windows): the agent's own
// `config.sh --unattended --auth pat` with a fresh Entra token passed as VSTS_AGENT_INPUT_TOKEN in
// the child's environment, never on its command line. kNotFound without <root>/config.sh.
// As root, AGENT_ALLOW_RUNASROOT=1 is set for it (config.sh refuses uid 0 otherwise).
[[nodiscard]] Status RegisterWithConfigScript(Env& env, identity::TokenSource& tokens,
                                              AgentFiles& files, const RegisterOptions& options);

// On the real disk, before RegisterWithConfigScript: <root>/config.sh must be a regular file (the
// script resolves its own symlinks and configures the directory it really lives in) owned by
// this user and not writable by group or others (agent-audit D8). OK when it is missing.
[[nodiscard]] Status CheckConfigScript(const std::string& root);

}  // namespace agentboot::agent

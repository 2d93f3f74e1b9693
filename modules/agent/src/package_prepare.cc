// PrepareAgent: the steps documented in agent.h. Pure decisions live in package_plan, the cache
// in package_cache, the raw disk operations in package_disk; this file only sequences them.
#include <chrono>
#include <optional>
#include <string>

#include "agentboot/agent.h"

#include "package_plan.h"
#include "package_preparer.h"

namespace agentboot::agent::detail {
namespace {

constexpr char kSource[] = "agent";

bool IsConnectivityError(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadlineExceeded ||
         error.code == ErrorCode::kThrottled;
}

}  // namespace

Preparer::Preparer(devops::Client* client, http::Downloader& downloader, Env& env,
                   const PackageOptions& options, const std::string& agent_root)
    : client_(client),
      downloader_(downloader),
      env_(env),
      options_(options),
      root_(AbsolutePath(agent_root)),
      cache_(env, AbsolutePath(options.cache_dir)) {}

Result<PreparedAgent> Preparer::Run() {
  auto prebaked = IsPrebaked();
  if (!prebaked) return Fail(std::move(prebaked.error()));
  const PlanInputs inputs{
      *prebaked, !options_.pinned_version.empty() && cache_.IsComplete(options_.pinned_version)};
  switch (ChoosePlan(options_, inputs)) {
    case PlanStep::kUsePrebaked:
      return Finish(root_, "", "prebaked", 0);
    case PlanStep::kUsePinnedCache:
      return FromCache(options_.pinned_version, "cache", 0);
    case PlanStep::kUsePackageSource:
      return FromPackageSource();
    case PlanStep::kAskServer:
      break;
  }
  return FromServer();
}

Result<bool> Preparer::IsPrebaked() {
  const std::string bin = root_ + "/bin";
  if (KindOf(env_.fs, bin) != EntryKind::kDirectory || !env_.fs.Exists(bin + "/Agent.Listener")) {
    return false;
  }
  for (const std::string& path : {bin, bin + "/Agent.Listener"}) {
    if (!OwnedBySelfAndPrivate(env_.fs, path)) {
      return Fail(ErrorCode::kPermissionDenied, "pre-baked agent " + path,
                  "it is owned by another user or writable by group or others, so agentboot "
                  "will not run it",
                  "Make bin/ and bin/Agent.Listener owned by the user agentboot runs as, with no "
                  "group or other write permission, or remove bin/ to let agentboot lay out the "
                  "package.");
    }
  }
  return true;
}

Result<PreparedAgent> Preparer::FromCache(const std::string& version, std::string source,
                                          uint64_t bytes) {
  return Finish(cache_.VersionDir(version), version, std::move(source), bytes);
}

Result<PreparedAgent> Preparer::FromServer() {
  if (client_ == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "resolve the agent package",
                "no Azure DevOps client to ask for the package",
                "Pass --agent-package, or --agent-version of a cached version.");
  }
  devops::PackageQuery query;
  if (!options_.pinned_version.empty()) query.version = options_.pinned_version;
  auto packages = client_->ListPackages(options_.platform, query);
  if (!packages) return FallBackToCache(std::move(packages.error()));
  if (packages->empty()) {
    // Not a missing pool or agent (exit 7): the version asked for is not offered.
    return Fail(ErrorCode::kInvalidArgument, "agent packages for " + options_.platform,
                "the server lists none" + (options_.pinned_version.empty()
                                               ? std::string()
                                               : " of version " + options_.pinned_version),
                "Pin a version the organization offers with --agent-version, or pass "
                "--agent-package.");
  }
  const devops::AgentPackage& package = packages->front();
  if (!IsSafeVersion(package.version)) {
    return Fail(ErrorCode::kInternal, "agent package",
                "unusable version '" + package.version + "'");
  }
  if (cache_.IsComplete(package.version)) return FromCache(package.version, "cache", 0);
  auto lock = LockCache();
  if (!lock) return Fail(std::move(lock.error()));
  if (cache_.IsComplete(package.version)) {  // another process finished it while we waited
    return FromCache(package.version, "cache", 0);
  }
  if (package.hash_value.empty()) {
    return Fail(ErrorCode::kInternal, "agent package " + package.version,
                "the server gave no hashValue to verify the download against",
                "Pass --agent-package with --agent-package-sha256 instead.");
  }
  auto fetched =
      Fetch(package.download_url, FileNameFromUrl(package.download_url), package.hash_value);
  if (!fetched) return Fail(std::move(fetched.error()));
  auto installed = cache_.Install(fetched->path, fetched->sha256, package.version);
  (void)env_.fs.Remove(fetched->path);
  if (!installed) return Fail(std::move(installed.error()));
  return FromCache(*installed, "download", fetched->bytes);
}

Result<PreparedAgent> Preparer::FallBackToCache(Error error) {
  if (!options_.pinned_version.empty() || !IsConnectivityError(error)) return Fail(error);
  const auto newest = NewestVersion(cache_.CompleteVersions());
  if (!newest) return Fail(std::move(error));
  env_.log.Log(LogLevel::kWarning, kSource,
               "packages API unreachable; using the newest cached agent package",
               {{"version", *newest}, {"error", error.ToString()}});
  return FromCache(*newest, "cache", 0);
}

Result<PreparedAgent> Preparer::FromPackageSource() {
  const std::string& source = options_.package_source;
  if (!options_.expected_sha256.empty()) {
    if (auto cached = cache_.FindBySha256(options_.expected_sha256)) {
      return FromCache(*cached, "cache", 0);
    }
  }
  auto lock = LockCache();
  if (!lock) return Fail(std::move(lock.error()));
  const bool remote = IsHttpUrl(source);
  Result<Fetched> fetched =
      remote ? Fetch(source, FileNameFromUrl(source), options_.expected_sha256) : HashLocal(source);
  if (!fetched) return Fail(std::move(fetched.error()));
  Result<std::string> version = tl::unexpected(Error{});
  if (auto cached = cache_.FindBySha256(fetched->sha256)) {
    version = *cached;
  } else {
    version = cache_.Install(fetched->path, fetched->sha256, "");
  }
  if (remote) (void)env_.fs.Remove(fetched->path);
  if (!version) return Fail(std::move(version.error()));
  return FromCache(*version, remote ? "download" : "local", fetched->bytes);
}

Result<Fetched> Preparer::HashLocal(const std::string& path) {
  auto sha = HashFile(path);
  if (!sha) {
    Error error = std::move(sha.error());
    error.advice = "--agent-package must name a readable .tar.gz or an http(s) URL.";
    return Fail(std::move(error));
  }
  if (!options_.expected_sha256.empty() && !HashesEqual(*sha, options_.expected_sha256)) {
    return Fail(ErrorCode::kInvalidArgument, "agent package " + path,
                "SHA-256 is " + *sha + ", expected " + options_.expected_sha256,
                "Check that --agent-package and its expected SHA-256 belong together.");
  }
  return Fetched{path, *sha, 0};
}

// An exclusive lock on the cache (FileSystem::Lock, flock(2)): only one agentboot unpacks or
// sweeps at a time; a second one logs once and waits.
Result<std::unique_ptr<FileLock>> Preparer::LockCache() {
  if (auto created = cache_.Create(); !created) return Fail(std::move(created.error()));
  LockRequest request;
  request.mode = 0644;
  auto lock = env_.fs.Lock(cache_.LockPath(), request);
  if (!lock && lock.error().code == ErrorCode::kAlreadyExists) {
    env_.log.Log(LogLevel::kInfo, "agent", "waiting for another agentboot to finish with the cache",
                 {{"lock", cache_.LockPath()}});
    request.wait = true;
    lock = env_.fs.Lock(cache_.LockPath(), request);
  }
  if (lock) cache_.SweepTemporaries();
  return lock;
}

}  // namespace agentboot::agent::detail

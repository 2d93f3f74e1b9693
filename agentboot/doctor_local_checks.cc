// `agentboot doctor`: the checks of this host (doctor_checks.h).
#include <filesystem>

#include "agentboot/agent.h"
#include "agentboot/http.h"

#include "doctor_checks.h"
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

using doctor::Check;
using doctor::Outcome;

constexpr uint64_t kMinimumFreeBytes = 2ULL << 30U;  // an unpacked agent and a job's workspace

// The directory itself, or its nearest existing ancestor (what a mkdir -p would write into).
std::string ExistingAncestor(const std::string& path) {
  std::filesystem::path p = std::filesystem::absolute(path).lexically_normal();
  std::error_code ec;
  while (!std::filesystem::exists(p, ec) && p.has_parent_path() && p != p.parent_path()) {
    p = p.parent_path();
  }
  return p.string();
}

Check WritableDirectory(const std::string& name, const std::string& path, const std::string& why) {
  Check check{name, Outcome::kPass, path, ""};
  const std::string existing = ExistingAncestor(path);
  struct stat st {};
  if (::stat(existing.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    check.outcome = Outcome::kFail;
    check.result = existing + " is not a directory";
    check.fix = "Point " + why + " at a directory.";
    return check;
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    check.outcome = Outcome::kFail;
    check.result = existing + " is not writable by uid " + std::to_string(::geteuid());
    check.fix = "Run as its owner or root, or choose another " + why + ".";
    return check;
  }
  if (existing != std::filesystem::absolute(path).lexically_normal().string()) {
    check.result += " (will be created in " + existing + ")";
  }
  return check;
}

// "http://user:secret@proxy:3128" → "http://***@proxy:3128".
std::string WithoutCredentials(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + "***" + url.substr(at);
}

}  // namespace

Check Skipped(std::string name, std::string why) {
  return Check{std::move(name), Outcome::kSkip, std::move(why), ""};
}

Check CheckWorkloadFile(App& app) {
  auto path = app.env().vars.GetNonEmpty("AZURE_FEDERATED_TOKEN_FILE");
  if (!path) return Skipped("workload token file", "AZURE_FEDERATED_TOKEN_FILE is not set");
  auto text = app.env().fs.ReadFile(*path);
  if (!text) {
    return Check{"workload token file", Outcome::kFail, *path + ": " + text.error().detail,
                 "Mount the projected service account token (azure.workload.identity/use: "
                 "\"true\" on the pod) or fix AZURE_FEDERATED_TOKEN_FILE."};
  }
  Check check = doctor::CheckWorkloadTokenFile(*text, app.env().clock.Now());
  check.result = *path + ": " + check.result;
  return check;
}

Check CheckProxyAndCa(App& app) {
  const http::CurlOptions used =
      http::CurlOptionsFromEnvironment(app.env().vars, app.options().ca_file);
  Check check{"proxy and CA", Outcome::kPass, "", ""};
  check.result = "HTTPS proxy " +
                 (used.https_proxy.empty() ? "none" : WithoutCredentials(used.https_proxy)) +
                 ", NO_PROXY " + (used.no_proxy.empty() ? "none" : used.no_proxy) + ", CA " +
                 (used.ca_file.empty() ? "system store" : "system store + " + used.ca_file);
  if (!used.ca_file.empty() && ::access(used.ca_file.c_str(), R_OK) != 0) {
    check.outcome = Outcome::kFail;
    check.fix = "The CA file " + used.ca_file + " cannot be read: fix --ca-file or SSL_CERT_FILE.";
  }
  return check;
}

Check CheckAgentDirectory(App&, const DoctorFlags& flags) {
  return WritableDirectory("agent directory", flags.agent_dir, "--agent-dir");
}

Check CheckPackageCache(App& app, const DoctorFlags& flags) {
  const std::string dir = flags.cache_dir.empty()
                              ? agent::DefaultCacheDir(app.env().vars, ::geteuid() == 0)
                              : flags.cache_dir;
  return WritableDirectory("package cache", dir, "--cache-dir");
}

Check CheckDiskSpace(App&, const DoctorFlags& flags) {
  const std::string dir = ExistingAncestor(flags.agent_dir);
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) {
    return Check{"disk space", Outcome::kWarn, "cannot read free space of " + dir,
                 "Check the filesystem by hand (df -h)."};
  }
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  Check check{"disk space", Outcome::kPass,
              std::to_string(free_bytes >> 20U) + " MiB free in " + dir, ""};
  if (free_bytes < kMinimumFreeBytes) {
    check.outcome = Outcome::kFail;
    check.fix = "Free at least 2 GiB: the agent package and job workspaces live here.";
  }
  return check;
}

Check CheckRunAsUser(App&, const DoctorFlags& flags) {
  if (flags.run_as.empty()) return Skipped("--run-as user", "no --run-as given");
  struct passwd* user = ::getpwnam(flags.run_as.c_str());
  if (user == nullptr) {
    return Check{"--run-as user", Outcome::kFail, "no user '" + flags.run_as + "'",
                 "Create the user (useradd --system " + flags.run_as + ") or fix --run-as."};
  }
  const std::string dir = ExistingAncestor(flags.agent_dir);
  struct stat st {};
  const bool statted = ::stat(dir.c_str(), &st) == 0;
  const bool can_enter = statted && (st.st_uid == user->pw_uid || (st.st_mode & S_IXOTH) != 0 ||
                                     (st.st_gid == user->pw_gid && (st.st_mode & S_IXGRP) != 0));
  Check check{"--run-as user", Outcome::kPass,
              flags.run_as + " (uid " + std::to_string(user->pw_uid) + ")", ""};
  if (!can_enter) {
    check.outcome = Outcome::kFail;
    check.result += " cannot enter " + dir;
    check.fix =
        "Let the user reach the agent directory (chmod o+x on it and its parents) or "
        "choose a --agent-dir it can use.";
  }
  return check;
}

}  // namespace agentboot::cli

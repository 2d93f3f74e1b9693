#include "run_local_checks.h"

#include "exit_codes.h"
#include "listener_env.h"
#include "run_lifecycle.h"
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

Result<RunAs> ResolveRunAs(const std::string& user) {
  RunAs run_as;
  if (user.empty()) return run_as;
  if (::geteuid() != 0) {
    return Fail(ErrorCode::kInvalidArgument, "--run-as " + user,
                "only root can start the listener as another user (agentboot runs as uid " +
                    std::to_string(::geteuid()) + ")",
                "Start agentboot as root (e.g. from its systemd unit), or leave out --run-as and "
                "AGENTBOOT_RUN_AS to run the listener as this user.");
  }
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "--run-as " + user, "no such user",
                "Create the user or pass an existing one.");
  }
  run_as.uid = found->pw_uid;
  run_as.gid = found->pw_gid;
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (getgrouplist(user.c_str(), found->pw_gid, groups.data(), &count) >= 0) {
    for (int i = 0; i < count; ++i) run_as.groups.push_back(groups[static_cast<size_t>(i)]);
  }
  return run_as;
}

// A local package (not an http(s) URL) must be a file agentboot can read now, not after a token.
Status CheckLocalPackage(App& app, const std::string& package) {
  if (package.empty() || package.find("://") != std::string::npos) return {};
  auto info = app.env().fs.Stat(package);
  if (!info) return Fail(std::move(info.error()));
  if (info->is_directory) {
    return Fail(ErrorCode::kInvalidArgument, "--agent-package " + package, "is a directory",
                "Pass the agent's .tar.gz file (vsts-agent-linux-x64-<version>.tar.gz).");
  }
  return {};
}

int Usage(const Error& error) {
  PrintFailure(error);
  return kExitUsage;
}

}  // namespace

Status RequireOrganizationUrl(const std::string& command, const std::string& url) {
  if (!url.empty()) return {};
  return Fail(ErrorCode::kInvalidArgument, command,
              "no organization URL: neither --url nor AZP_URL is set",
              "Pass --url https://dev.azure.com/<organization> or export AZP_URL.");
}

int ValidateRunLocally(App& app, const RunFlags& flags, LocalRun& out) {
  if (auto url = RequireOrganizationUrl("run", flags.url); !url) return Usage(url.error());
  auto policy = LifecyclePolicyFrom(flags);
  if (!policy) return Usage(policy.error());
  out.policy = *policy;
  if (auto caps = ParseCapabilities(flags.capabilities); !caps) return Usage(caps.error());
  auto run_as = ResolveRunAs(flags.run_as);
  if (!run_as) return Usage(run_as.error());
  out.run_as = std::move(*run_as);
  auto listener_env = ListenerEnvironmentFrom(flags);  // allow-list, --env, --run-as's HOME...
  if (!listener_env) return Usage(listener_env.error());
  out.listener_env = std::move(*listener_env);
  if (auto package = CheckLocalPackage(app, flags.agent_package); !package) {
    PrintFailure(package.error());
    return ExitCodeFor(Stage::kLocal, package.error());
  }
  return kExitOk;
}

}  // namespace agentboot::cli

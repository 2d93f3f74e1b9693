#include "run_flags.h"

#include "exit_codes.h"
#include "instance_name.h"
#include <unistd.h>

namespace agentboot::cli {
namespace {

std::string HostName() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "agent";
  return buffer;
}

Result<std::map<std::string, std::string>> ParseCapabilities(const std::vector<std::string>& list) {
  std::map<std::string, std::string> caps;
  for (const auto& item : list) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidArgument, "--capability " + item, "expected key=value",
                  "Write capabilities as --capability name=value.");
    }
    caps[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return caps;
}

}  // namespace

void AddConnectionOptions(CLI::App& command, RegisterFlags& flags) {
  command.add_option("--url", flags.url, "Organization URL, https://dev.azure.com/<org>")
      ->envname("AZP_URL");
  command.add_option("--pool", flags.pool, "Agent pool name")->envname("AZP_POOL");
  command
      .add_option("--agent-name", flags.agent_name,
                  "Agent name (default: the Azure VM's name from IMDS, else the host name)")
      ->envname("AZP_AGENT_NAME");
  command.add_option("--agent-dir", flags.agent_dir, "The agent's root directory (parent of bin/)")
      ->envname("AGENTBOOT_AGENT_DIR");
  AddSecurityOptions(command, flags.security);
}

void AddRegistrationOptions(CLI::App& command, RegisterFlags& flags) {
  command.add_option("--work", flags.work, "The agent's work folder")->envname("AZP_WORK");
  command.add_flag("--replace", flags.replace,
                   "Take over an agent of the same name that has another key");
  command.add_option("--capability", flags.capabilities, "User capability key=value (repeat)");
}

devops::ClientOptions ClientOptionsFor(const std::string& url) {
  devops::ClientOptions options;
  options.organization_url = url;
  options.agentboot_version = std::string(kVersion);
  return options;
}

int FailedStage(const Error& error) {
  PrintFailure(error);
  const bool identity = StartsWith(error.context, "identity");
  return ExitCodeFor(identity ? Stage::kIdentity : Stage::kDevOps, error);
}

Result<agent::RegisterOptions> RegisterOptionsFrom(App& app, const RegisterFlags& flags,
                                                   std::string version) {
  auto caps = ParseCapabilities(flags.capabilities);
  if (!caps) return Fail(std::move(caps.error()));
  agent::RegisterOptions options;
  options.server_url = flags.url;
  options.pool = flags.pool;
  options.work_folder = flags.work;
  options.replace = flags.replace;
  options.placeholder = flags.placeholder;
  options.capabilities = *caps;
  options.host_name = HostName();
  options.agent_name = flags.agent_name;
  if (options.agent_name.empty()) options.agent_name = DefaultAgentName(app, options.host_name);
  options.agent_version = std::move(version);
  return options;
}

Result<agent::PreparedAgent> PrepareListener(App& app, devops::Client& client,
                                             const RunFlags& flags) {
  agent::PackageOptions options;
  options.pinned_version = flags.agent_version;
  options.package_source = flags.agent_package;
  options.expected_sha256 = flags.agent_sha256;
  options.cache_dir = flags.cache_dir.empty()
                          ? agent::DefaultCacheDir(app.env().vars, ::geteuid() == 0)
                          : flags.cache_dir;
  if (auto made = app.env().fs.CreateDirectories(flags.agent_dir, 0755); !made) {
    return Fail(std::move(made.error()));
  }
  auto prepared =
      agent::PrepareAgent(&client, app.downloader(), app.env(), options, flags.agent_dir);
  return prepared;
}

}  // namespace agentboot::cli

namespace agentboot::cli {

void AddLifecycleOptions(CLI::App& command, RunFlags& flags) {
  command
      .add_option("--drain-timeout", flags.drain_timeout_seconds,
                  "Seconds a drain waits for the running job before stopping the listener")
      ->envname("AGENTBOOT_DRAIN_TIMEOUT")
      ->check(CLI::Range(0, 7 * 24 * 3600));
  command
      .add_option("--drain-poll", flags.drain_poll_seconds,
                  "Seconds between 'is a job still assigned?' checks while draining")
      ->check(CLI::Range(0.2, 300.0));
  command
      .add_flag("--keep-registration", flags.keep_registration,
                "After a drain, re-enable the agent instead of deleting it (long-lived hosts)")
      ->envname("AGENTBOOT_KEEP_REGISTRATION");
  command
      .add_option("--scheduled-events", flags.scheduled_events,
                  "Drain on an Azure Scheduled Event (Terminate, Preempt) for this VM: auto (when "
                  "the identity is IMDS), on or off")
      ->envname("AGENTBOOT_SCHEDULED_EVENTS")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  command
      .add_option("--rotate-key-every", flags.rotate_key_every,
                  "Rotate the agent's RSA key on this period (e.g. 30d, 12h); off by default")
      ->envname("AGENTBOOT_ROTATE_KEY_EVERY");
}

}  // namespace agentboot::cli

#include "run_flags.h"

#include "exit_codes.h"
#include "instance_name.h"
#include "user_input.h"
#include <unistd.h>

namespace agentboot::cli {
namespace {

std::string HostName() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "agent";
  return buffer;
}

// Names, pools and capabilities go into server requests, `.capabilities` (one KEY=VALUE per
// line) and terminals: invalid UTF-8 aborted the process and a newline injected capabilities
// (security review L2, L9). Checked when the flags are parsed, before anything happens.
CLI::Validator PrintableText() {
  return CLI::Validator(
      [](const std::string& value) -> std::string {
        const std::string problem = TextProblem(value);
        if (problem.empty()) return "";
        return problem + "; use printable UTF-8 text without control characters";
      },
      "TEXT");
}

}  // namespace

void AddConnectionOptions(CLI::App& command, RegisterFlags& flags) {
  command.add_option("--url", flags.url, "Organization URL, https://dev.azure.com/<org>")
      ->envname("AZP_URL")
      ->transform(OrganizationUrlValidator());
  command.add_option("--pool", flags.pool, "Agent pool name")
      ->envname("AZP_POOL")
      ->check(PrintableText())
      ->transform(NameValidator("--pool/AZP_POOL"));
  command
      .add_option("--agent-name", flags.agent_name,
                  "Agent name (default: the Azure VM's name from IMDS, else the host name)")
      ->envname("AZP_AGENT_NAME")
      ->check(PrintableText())
      ->transform(NameValidator("--agent-name/AZP_AGENT_NAME"));
  // Absolute from the start: the listener runs in the agent directory, where a relative path
  // would name another place.
  flags.agent_dir = AbsolutePath(flags.agent_dir).value_or(flags.agent_dir);
  command.add_option("--agent-dir", flags.agent_dir, "The agent's root directory (parent of bin/)")
      ->envname("AGENTBOOT_AGENT_DIR")
      ->transform(AbsolutePathValidator());
  AddSecurityOptions(command, flags.security);
}

void AddRegistrationOptions(CLI::App& command, RegisterFlags& flags) {
  command.add_option("--work", flags.work, "The agent's work folder")->envname("AZP_WORK");
  command.add_flag("--replace", flags.replace,
                   "Take over an agent of the same name that has another key");
  command.add_option("--capability", flags.capabilities, "User capability key=value (repeat)")
      ->check(PrintableText());
}

Result<std::map<std::string, std::string>> ParseCapabilities(const std::vector<std::string>& list) {
  std::map<std::string, std::string> caps;
  for (const auto& item : list) {
    const size_t eq = item.find('=');
    if (const std::string problem = TextProblem(item); !problem.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "--capability", problem,
                  "Write capabilities as printable UTF-8 name=value, without control characters.");
    }
    if (eq == std::string::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidArgument, "--capability " + item, "expected key=value",
                  "Write capabilities as --capability name=value.");
    }
    caps[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return caps;
}

devops::ClientOptions ClientOptionsFor(const std::string& url) {
  devops::ClientOptions options;
  options.organization_url = url;
  options.agentboot_version = std::string(kVersion);
  return options;
}

const std::vector<std::pair<std::string, Registrar>>& RegistrarChoices() {
  static const std::vector<std::pair<std::string, Registrar>> kChoices = {
      {"native", Registrar::kNative}, {"agent", Registrar::kAgent}};
  return kChoices;
}

const std::vector<std::pair<std::string, ScheduledEventsMode>>& ScheduledEventsChoices() {
  static const std::vector<std::pair<std::string, ScheduledEventsMode>> kChoices = {
      {"auto", ScheduledEventsMode::kAuto},
      {"on", ScheduledEventsMode::kOn},
      {"off", ScheduledEventsMode::kOff}};
  return kChoices;
}

int FailedStage(const Error& error) {
  PrintFailure(error);
  return ExitCodeFor(StageOf(error), error);
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
  // The default name comes from IMDS or the host name: checked like a flag.
  if (const std::string problem = TextProblem(options.agent_name); !problem.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "agent name", problem,
                "Give a printable UTF-8 name with --agent-name.");
  }
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
  Choices(command
              .add_option("--scheduled-events", flags.scheduled_events,
                          "Drain on an Azure Scheduled Event (Terminate, Preempt) for this VM: "
                          "auto (when the identity is IMDS), on or off")
              ->envname("AGENTBOOT_SCHEDULED_EVENTS"),
          ScheduledEventsChoices());
  command
      .add_option("--rotate-key-every", flags.rotate_key_every,
                  "Rotate the agent's RSA key on this period (e.g. 30d, 12h); off by default")
      ->envname("AGENTBOOT_ROTATE_KEY_EVERY");
  command
      .add_option("--idle-timeout", flags.idle_timeout,
                  "Drain and exit 0 after this long without a job, as the server sees it (e.g. "
                  "30m; for scale sets and Deployments that shrink); off by default")
      ->envname("AGENTBOOT_IDLE_TIMEOUT");
}

}  // namespace agentboot::cli

// `agentboot register` and `agentboot unregister`: options and environment compatible with
// Microsoft's Docker start.sh (AZP_URL, AZP_POOL, AZP_AGENT_NAME, AZP_WORK).
#include <iostream>

#include "agentboot/agent.h"
#include "agentboot/devops.h"

#include "commands.h"
#include "exit_codes.h"
#include "instance_name.h"
#include <unistd.h>

namespace agentboot::cli {
namespace {

struct RegisterFlags {
  std::string url;
  std::string pool = "Default";
  std::string agent_name;
  std::string work = "_work";
  std::string agent_dir = ".";
  std::string agent_version;
  std::string registrar = "native";
  std::vector<std::string> capabilities;
  bool replace = false;
  bool placeholder = false;
  bool force = false;
};

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
}

std::string HostName() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "agent";
  return buffer;
}

devops::ClientOptions ClientOptionsFor(const std::string& url) {
  devops::ClientOptions options;
  options.organization_url = url;
  options.agentboot_version = std::string(kVersion);
  return options;
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

// Fails with the stage the error belongs to: a token problem is an identity exit code.
int Failed(const Error& error) {
  PrintFailure(error);
  const bool identity = StartsWith(error.context, "identity");
  return ExitCodeFor(identity ? Stage::kIdentity : Stage::kDevOps, error);
}

int RunRegister(App& app, const RegisterFlags& flags) {
  // A token first: it proves the identity and tells whether this is an Azure VM (for the name).
  if (auto token = app.tokens().GetToken({}); !token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  auto caps = ParseCapabilities(flags.capabilities);
  if (!caps) return Failed(caps.error());

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

  options.agent_version = flags.agent_version;
  if (options.agent_version.empty() && !flags.placeholder) {
    auto version = agent::ListenerVersion(app.env(), flags.agent_dir);
    if (version) options.agent_version = *version;
  }
  if (flags.placeholder && options.agent_version.empty()) options.agent_version = "0.0.0";

  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), app.env());
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  if (flags.registrar == "agent") {
    auto done = agent::RegisterWithConfigScript(app.env(), app.tokens(), files, options);
    if (!done) return Failed(done.error());
    std::cout << "registered " << options.agent_name << " through config.sh\n";
    return kExitOk;
  }
  auto registration = agent::Register(client, files, app.env(), options);
  if (!registration) return Failed(registration.error());
  std::cout << "agent '" << registration->agent_name << "' (id " << registration->agent_id
            << ") in pool '" << registration->pool_name
            << "': " << agent::RegisterOutcomeName(registration->outcome) << "\n";
  return kExitOk;
}

int RunUnregister(App& app, const RegisterFlags& flags) {
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  auto settings = files.LoadSettings();
  // The organization of a configured agent is the one in .agent, whatever AZP_URL says.
  const std::string url = settings ? settings->server_url : flags.url;
  if (url.empty() || (!settings && flags.agent_name.empty())) {
    std::cout << "nothing to unregister: " << flags.agent_dir
              << " holds no agent configuration and no --agent-name was given\n";
    return kExitOk;
  }
  devops::Client client(ClientOptionsFor(url), app.transport(), app.tokens(), app.env());
  auto done =
      agent::Unregister(client, files, app.env(), flags.pool, flags.agent_name, flags.force);
  if (!done) return Failed(done.error());
  if (done->agent_id == 0) {
    std::cout << "nothing to unregister: no agent '" << done->agent_name << "'\n";
    return kExitOk;
  }
  std::cout << "agent '" << done->agent_name << "' (id " << done->agent_id
            << "): " << (done->deleted_on_server ? "deleted" : "already gone")
            << "; local credentials " << (done->removed_local_files ? "removed" : "absent") << "\n";
  return kExitOk;
}

}  // namespace

Runner RegisterRegisterCommand(CLI::App& parent) {
  auto flags = std::make_shared<RegisterFlags>();
  CLI::App* command =
      parent.add_subcommand("register", "Register this host as an agent, without a PAT");
  AddConnectionOptions(*command, *flags);
  command->add_option("--work", flags->work, "The agent's work folder")->envname("AZP_WORK");
  command->add_flag("--replace", flags->replace,
                    "Take over an agent of the same name that has another key");
  command->add_option("--capability", flags->capabilities, "User capability key=value (repeat)");
  command->add_flag("--placeholder", flags->placeholder,
                    "Register an offline template agent (KEDA, empty pools); never cleaned up");
  command->add_option("--agent-version", flags->agent_version,
                      "Listener version to report (default: bin/Agent.Listener --version)");
  command
      ->add_option("--registrar", flags->registrar,
                   "native (REST, default) or agent (the agent's own config.sh)")
      ->check(CLI::IsMember({"native", "agent"}));
  return [flags](App& app) { return RunRegister(app, *flags); };
}

Runner RegisterUnregisterCommand(CLI::App& parent) {
  auto flags = std::make_shared<RegisterFlags>();
  CLI::App* command = parent.add_subcommand(
      "unregister", "Delete this host's agent with a fresh token and remove its credentials");
  AddConnectionOptions(*command, *flags);
  command->add_flag("--force", flags->force, "Also delete a placeholder agent named explicitly");
  return [flags](App& app) { return RunUnregister(app, *flags); };
}

}  // namespace agentboot::cli

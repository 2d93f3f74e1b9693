// `agentboot register` and `agentboot unregister`: options and environment compatible with
// Microsoft's Docker start.sh (AZP_URL, AZP_POOL, AZP_AGENT_NAME, AZP_WORK).
#include <iostream>

#include "agentboot/agent.h"
#include "agentboot/devops.h"

#include "commands.h"
#include "exit_codes.h"
#include "instance_name.h"
#include "listener_env.h"
#include "run_flags.h"
#include "run_local_checks.h"
#include "run_lock.h"
#include "secure_start.h"
#include "user_input.h"

namespace agentboot::cli {
namespace {

// The listener's version: --agent-version, else asked of the unpacked listener (local).
int ListenerVersionFor(App& app, const RegisterFlags& flags, std::string& version) {
  version = flags.agent_version;
  if (version.empty() && !flags.placeholder) {
    auto found = agent::ListenerVersion(app.env(), flags.agent_dir);
    if (!found) {
      PrintFailure(MakeError(ErrorCode::kInvalidArgument, "register",
                             "the listener's version is unknown: " + found.error().ToString(),
                             "Unpack the agent into " + flags.agent_dir +
                                 " (bin/Agent.Listener) or pass its version, e.g. "
                                 "--agent-version 4.260.0."));
      return kExitUsage;
    }
    version = *found;
  }
  if (flags.placeholder && version.empty()) version = "0.0.0";
  return kExitOk;
}

// Every check that needs no network, before the first token (issue 15 item 3).
int ValidateRegisterLocally(App& app, const RegisterFlags& flags, std::string& version) {
  if (auto url = RequireOrganizationUrl("register", flags.url); !url) {
    PrintFailure(url.error());
    return kExitUsage;
  }
  if (auto caps = ParseCapabilities(flags.capabilities); !caps) {
    PrintFailure(caps.error());
    return kExitUsage;
  }
  if (const int refused = SecureRegisterStart(app, flags); refused != kExitOk) return refused;
  if (const int unknown = ListenerVersionFor(app, flags, version); unknown != kExitOk) {
    return unknown;
  }
  if (flags.registrar == Registrar::kAgent) {
    if (auto safe = agent::CheckConfigScript(flags.agent_dir); !safe) {
      return FailedStage(safe.error());
    }
  }
  return kExitOk;
}

int RunRegister(App& app, const RegisterFlags& flags) {
  std::string version;
  if (const int refused = ValidateRegisterLocally(app, flags, version); refused != kExitOk) {
    return refused;
  }
  // A token first: it proves the identity and tells whether this is an Azure VM (for the name).
  if (auto token = app.tokens().GetToken({}); !token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  auto built = RegisterOptionsFrom(app, flags, version);
  if (!built) return FailedStage(built.error());
  const agent::RegisterOptions& options = *built;

  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), app.env());
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  if (flags.registrar == Registrar::kAgent) {
    auto done = agent::RegisterWithConfigScript(app.env(), app.tokens(), files, options);
    if (!done) return FailedStage(done.error());
    std::cout << "registered " << options.agent_name << " through config.sh\n";
    return kExitOk;
  }
  auto registration = agent::Register(client, files, app.env(), options);
  if (!registration) return FailedStage(registration.error());
  std::cout << "agent '" << registration->agent_name << "' (id " << registration->agent_id
            << ") in pool '" << registration->pool_name
            << "': " << agent::RegisterOutcomeName(registration->outcome) << "\n";
  return kExitOk;
}

// Refuses an unsafe agent directory, and one a running agentboot supervises: deleting the agent
// under a running listener would only make it register again.
int CheckUnsupervisedDirectory(App& app, const RegisterFlags& flags) {
  if (auto dir = CheckDirectoryFor(app, flags.agent_dir, {std::nullopt, true}, flags.security);
      !dir) {
    return FailedStage(dir.error());
  }
  if (auto pid = RunningAgentboot(app.env().fs, flags.agent_dir)) {
    PrintFailure(MakeError(ErrorCode::kAlreadyExists, flags.agent_dir,
                           "agentboot (pid " + std::to_string(*pid) + ") runs this agent",
                           "Use `agentboot drain --agent-dir " + flags.agent_dir +
                               "`: it lets the running job finish, then deregisters."));
    return kExitConflict;
  }
  return kExitOk;
}

// The organization of a configured agent is the one in .agent, once that file is trusted and
// agrees with --url / AZP_URL when given (security-review M1); else --url / AZP_URL, checked.
Result<std::string> OrganizationFor(App& app, const agent::AgentFiles& files, bool configured,
                                    const RegisterFlags& flags) {
  if (configured) return TrustedOrganization(app, files, flags.url, flags.security);
  if (auto checked = CheckUrlFor(app, flags.url, flags.security); !checked) {
    return Fail(checked.error());
  }
  return flags.url;
}

void PrintUnregistration(const agent::Unregistration& done) {
  const char* local_files = done.removed_local_files ? "removed" : "absent";
  if (done.agent_id == 0) {
    std::cout << "nothing to unregister: no agent '" << done.agent_name << "'\n";
  } else if (done.taken_over) {
    std::cout << "agent '" << done.agent_name << "' (id " << done.agent_id
              << "): not deleted: another host took it over (the server holds another key); "
                 "local credentials "
              << local_files << "\n";
  } else {
    std::cout << "agent '" << done.agent_name << "' (id " << done.agent_id
              << "): " << (done.deleted_on_server ? "deleted" : "already gone")
              << "; local credentials " << local_files << "\n";
  }
}

int RunUnregister(App& app, const RegisterFlags& flags) {
  if (const int refused = CheckUnsupervisedDirectory(app, flags); refused != kExitOk) {
    return refused;
  }
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  const bool configured = files.LoadSettings().has_value();
  auto url = OrganizationFor(app, files, configured, flags);
  if (!url) return FailedStage(url.error());
  if (!configured && flags.agent_name.empty()) {
    std::cout << "nothing to unregister: " << flags.agent_dir
              << " holds no agent configuration (to delete an agent by name, pass --agent-name "
                 "and --url)\n";
    return kExitOk;
  }
  if (url->empty()) {
    PrintFailure(MakeError(ErrorCode::kInvalidArgument, "unregister " + flags.agent_name,
                           "no organization: " + flags.agent_dir +
                               " holds no agent configuration and neither --url nor AZP_URL is set",
                           "Pass --url https://dev.azure.com/<org> (or export AZP_URL) to delete "
                           "the agent by name."));
    return kExitUsage;
  }
  devops::Client client(ClientOptionsFor(*url), app.transport(), app.tokens(), app.env());
  auto done =
      agent::Unregister(client, files, app.env(), flags.pool, flags.agent_name, flags.force);
  if (!done) return FailedStage(done.error());
  SweepAgentTempFiles(app, files);
  PrintUnregistration(*done);
  return kExitOk;
}

}  // namespace

Runner RegisterRegisterCommand(CLI::App& parent) {
  auto flags = std::make_shared<RegisterFlags>();
  CLI::App* command =
      parent.add_subcommand("register", "Register this host as an agent, without a PAT");
  AddConnectionOptions(*command, *flags);
  AddRegistrationOptions(*command, *flags);
  command->add_flag("--placeholder", flags->placeholder,
                    "Register an offline template agent (KEDA, empty pools); never cleaned up");
  command->add_option("--agent-version", flags->agent_version,
                      "Listener version to report (default: bin/Agent.Listener --version)");
  Choices(command->add_option("--registrar", flags->registrar,
                              "native (REST, default) or agent (the agent's own config.sh)"),
          RegistrarChoices());
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

namespace {

// Which agent package `run` uses and where unpacked versions are kept.
void AddAgentPackageOptions(CLI::App& command, RunFlags& flags) {
  command
      .add_option("--agent-version", flags.agent_version,
                  "Pin the agent version (no self-update; cached after the first download)")
      ->envname("AGENTBOOT_AGENT_VERSION");
  command
      .add_option("--agent-package", flags.agent_package,
                  "Agent package to use: a local .tar.gz or an http(s) URL")
      ->envname("AGENTBOOT_AGENT_PACKAGE");  // a package baked into an image
  command.add_option("--agent-sha256", flags.agent_sha256, "Expected SHA-256 of --agent-package")
      ->envname("AGENTBOOT_AGENT_SHA256");
  command.add_option("--cache-dir", flags.cache_dir, "Where unpacked agent versions are kept")
      ->envname("AGENTBOOT_CACHE_DIR")
      ->transform(AbsolutePathValidator());
}

// How `run` starts, stops, restarts and exposes the listener.
void AddSupervisionOptions(CLI::App& command, RunFlags& flags) {
  command
      .add_option("--run-as", flags.run_as,
                  "Run the listener as this user (when agentboot runs as root)")
      ->envname("AGENTBOOT_RUN_AS");
  command
      .add_option("--stop-timeout", flags.stop_timeout_seconds,
                  "Seconds between SIGINT and SIGKILL when stopping the listener")
      ->check(CLI::Range(1, 3600));
  command
      .add_option("--max-restarts", flags.max_restarts,
                  "Listener restarts allowed within 10 minutes before giving up")
      ->check(CLI::Range(0, 1000));
  command
      .add_option("--restart-delay", flags.restart_delay_seconds,
                  "Seconds before the first restart after a crash (doubles up to 60)")
      ->check(CLI::Range(0.05, 60.0));
  command
      .add_option("--health-listen", flags.health_listen,
                  "Serve /healthz, /readyz and /metrics on ADDR:PORT (e.g. 0.0.0.0:8080)")
      ->envname("AGENTBOOT_HEALTH_LISTEN");
}

}  // namespace

Runner RegisterRunCommand(CLI::App& parent) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* command = parent.add_subcommand(
      "run", "Fetch the agent, register this host and run the listener under supervision");
  AddConnectionOptions(*command, *flags);
  AddRegistrationOptions(*command, *flags);
  command->add_flag("--once", flags->once,
                    "Ephemeral: one job, then deregister and exit with the job's result");
  AddAgentPackageOptions(*command, *flags);
  AddSupervisionOptions(*command, *flags);
  AddLifecycleOptions(*command, *flags);
  AddListenerEnvironmentOption(*command, *flags);
  return [flags](App& app) { return RunAgent(app, *flags); };
}

}  // namespace agentboot::cli

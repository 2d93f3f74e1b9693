// agentboot: Azure DevOps self-hosted agents with no stored secret. Wiring only: parses the
// command line, builds the App and runs one command.
#include <array>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "app.h"
#include "cli_messages.h"
#include "commands.h"
#include "exit_codes.h"
#include <malloc.h>

namespace agentboot::cli {
namespace {

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--identity", options.identity,
                 "Token source: auto, imds, appservice, arc, cloudshell, workload, azcli, pat")
      ->envname("AGENTBOOT_IDENTITY");
  app.add_option("--client-id", options.client_id,
                 "User-assigned managed identity by client id (also AZURE_CLIENT_ID)");
  app.add_option("--object-id", options.object_id, "User-assigned managed identity by object id");
  app.add_option("--resource-id", options.resource_id,
                 "User-assigned managed identity by Azure resource id");
  app.add_option("--ca-file", options.ca_file,
                 "Extra CA bundle (PEM) to trust for HTTPS (also SSL_CERT_FILE)");
  app.add_option("--log-format", options.log_format, "text or json")
      ->envname("AGENTBOOT_LOG_FORMAT");
  app.add_flag("--verbose,-v", options.verbose, "Debug logging (HTTP exchanges, redacted)");
  app.add_option("--arc-key-dir", options.arc_key_directory,
                 "Directory Azure Arc key files must be in (default /var/opt/azcmagent/tokens)")
      ->group("");
  app.add_option("--az-path", options.az_path, "Azure CLI program (default: az on PATH)")
      ->group("");
}

// Every subcommand, in the order `--help` lists them. Each entry adds its CLI11 subcommand.
struct CommandEntry {
  const char* name;
  Runner (*add)(CLI::App& parent);
};
constexpr std::array kCommands{
    CommandEntry{"token", RegisterTokenCommand},
    CommandEntry{"register", RegisterRegisterCommand},
    CommandEntry{"unregister", RegisterUnregisterCommand},
    CommandEntry{"run", RegisterRunCommand},
    CommandEntry{"drain", RegisterDrainCommand},
    CommandEntry{"rotate", RegisterRotateCommand},
    CommandEntry{"prune", RegisterPruneCommand},
    CommandEntry{"placeholder", RegisterPlaceholderCommand},
    CommandEntry{"doctor", RegisterDoctorCommand},
    CommandEntry{"oidc", RegisterOidcCommand},
};

using ParsedCommands = std::vector<std::pair<CLI::App*, Runner>>;

ParsedCommands AddCommands(CLI::App& cli) {
  ParsedCommands commands;
  for (const CommandEntry& entry : kCommands) {
    Runner runner = entry.add(cli);
    commands.emplace_back(cli.get_subcommand(entry.name), std::move(runner));
  }
  return commands;
}

// Parses the command line; returns an exit code when there is nothing to run (usage errors,
// --help, --version), nothing when a subcommand was parsed.
std::optional<int> Parse(CLI::App& cli, int argc, char** argv) {
  std::vector<std::string> names;
  for (const CommandEntry& entry : kCommands) names.emplace_back(entry.name);
  if (const std::string problem =
          CommandProblem(std::vector<std::string>(argv + 1, argv + argc), names);
      !problem.empty()) {
    std::cerr << problem;
    return kExitUsage;
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = cli.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

int RunParsed(const GlobalOptions& global, ParsedCommands& commands) {
  auto app = App::Create(global);
  if (!app) {
    PrintFailure(app.error());
    return ExitCodeFor(Stage::kLocal, app.error());
  }
  for (auto& [command, runner] : commands) {
    if (!command->parsed()) continue;
    const int code = runner(**app);
    if (global.verbose) {
      (*app)->log().Log(LogLevel::kDebug, "http", "round trips",
                        {{"count", std::to_string((*app)->round_trips())}});
    }
    return code;
  }
  return kExitUsage;
}

int Main(int argc, char** argv) {
  // First thing: a crash must not leave a core file with a token or key in it, and other users
  // (the --run-as user, every job) must not read this process's memory (security-review L15).
  if (auto hardened = DisableCoreDumps(); !hardened) {
    std::cerr << "agentboot: warning: " << hardened.error().ToString() << "\n";
  }
  // One malloc arena for every thread: agentboot's few threads allocate little, and an arena of
  // their own would keep its own heap pages (about 70 KB of private memory in an idle `run`,
  // BENCHMARKS.md). Before any thread exists.
  ::mallopt(M_ARENA_MAX, 1);
  CLI::App cli("agentboot: register and supervise Azure DevOps agents without a stored secret",
               "agentboot");
  cli.set_version_flag("--version", VersionText());
  cli.failure_message(FailureMessage);  // before the subcommands: they copy it
  cli.require_subcommand(1);
  cli.fallthrough();  // global options may follow the subcommand
  GlobalOptions global;
  AddGlobalOptions(cli, global);
  ParsedCommands commands = AddCommands(cli);
  if (const std::optional<int> done = Parse(cli, argc, argv)) return *done;
  return RunParsed(global, commands);
}

}  // namespace
}  // namespace agentboot::cli

int main(int argc, char** argv) { return agentboot::cli::Main(argc, argv); }

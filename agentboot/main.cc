// agentboot: Azure DevOps self-hosted agents with no stored secret. Wiring only: parses the
// command line, builds the App and runs one command.
#include <iostream>

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

  std::vector<std::pair<CLI::App*, Runner>> commands;
  commands.emplace_back(nullptr, RegisterTokenCommand(cli));
  commands.back().first = cli.get_subcommand("token");
  commands.emplace_back(nullptr, RegisterRegisterCommand(cli));
  commands.back().first = cli.get_subcommand("register");
  commands.emplace_back(nullptr, RegisterUnregisterCommand(cli));
  commands.back().first = cli.get_subcommand("unregister");
  commands.emplace_back(nullptr, RegisterRunCommand(cli));
  commands.back().first = cli.get_subcommand("run");
  commands.emplace_back(nullptr, RegisterDrainCommand(cli));
  commands.back().first = cli.get_subcommand("drain");
  commands.emplace_back(nullptr, RegisterRotateCommand(cli));
  commands.back().first = cli.get_subcommand("rotate");
  // Admin commands (prune, placeholder, doctor).
  commands.emplace_back(nullptr, RegisterPruneCommand(cli));
  commands.back().first = cli.get_subcommand("prune");
  commands.emplace_back(nullptr, RegisterPlaceholderCommand(cli));
  commands.back().first = cli.get_subcommand("placeholder");
  commands.emplace_back(nullptr, RegisterDoctorCommand(cli));
  commands.back().first = cli.get_subcommand("doctor");
  commands.emplace_back(nullptr, RegisterOidcCommand(cli));
  commands.back().first = cli.get_subcommand("oidc");

  std::vector<std::string> names;
  for (const auto& [command, runner] : commands) names.push_back(command->get_name());
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

  auto app = App::Create(global);
  if (!app) {
    PrintFailure(app.error());
    return ExitCodeFor(Stage::kLocal, app.error());
  }
  for (auto& [command, runner] : commands) {
    if (command->parsed()) {
      const int code = runner(**app);
      if (global.verbose) {
        (*app)->log().Log(LogLevel::kDebug, "http", "round trips",
                          {{"count", std::to_string((*app)->round_trips())}});
      }
      return code;
    }
  }
  return kExitUsage;
}

}  // namespace
}  // namespace agentboot::cli

int main(int argc, char** argv) { return agentboot::cli::Main(argc, argv); }

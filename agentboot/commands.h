// The subcommands. Each Register* adds its CLI11 subcommand and returns a runner that the main
// function calls after parsing; the runner returns the process exit code (exit_codes.h).
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "app.h"

namespace agentboot::cli {

using Runner = std::function<int(App& app)>;

Runner RegisterTokenCommand(CLI::App& parent);
Runner RegisterRegisterCommand(CLI::App& parent);
Runner RegisterUnregisterCommand(CLI::App& parent);
Runner RegisterRunCommand(CLI::App& parent);
Runner RegisterDrainCommand(CLI::App& parent);
Runner RegisterRotateCommand(CLI::App& parent);
// Admin commands: prune_command.cc, placeholder_command.cc, doctor_command.cc.
Runner RegisterPruneCommand(CLI::App& parent);
Runner RegisterPlaceholderCommand(CLI::App& parent);
Runner RegisterDoctorCommand(CLI::App& parent);
Runner RegisterOidcCommand(CLI::App& parent);

}  // namespace agentboot::cli

// `run --env` and the listener's environment (security review L3, L4): an allow-list of
// agentboot's environment, what the operator passes with --env, and with --run-as the user's own
// HOME, USER, LOGNAME, SHELL and PATH.
#pragma once

#include <CLI/CLI.hpp>

#include "agentboot/supervisor.h"

#include "run_flags.h"

namespace agentboot::cli {

// --env NAME / --env NAME=VALUE (repeatable), checked when the flags are parsed.
void AddListenerEnvironmentOption(CLI::App& command, RunFlags& flags);

// What BuildListenerEnvironment needs from the flags; kInvalidArgument for an unknown --run-as.
[[nodiscard]] Result<supervisor::ListenerEnvironment> ListenerEnvironmentFrom(
    const RunFlags& flags);

}  // namespace agentboot::cli

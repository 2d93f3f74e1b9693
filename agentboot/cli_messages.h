// What the command line itself says: CLI11's parse errors with the `agentboot:` prefix and a
// "what to do" line, a missing or mistyped command with the closest one and the list, and the
// --version text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace agentboot::cli {

// CLI11's failure_message: every line prefixed with "agentboot: ", then advice when the message
// carries none of its own.
std::string FailureMessage(const CLI::App* app, const CLI::Error& error);

// The subcommand named in argv (skipping global options and their values), if any.
std::optional<std::string> CommandWord(const std::vector<std::string>& args);

// The closest of `names` to `word` (edit distance at most 3), empty when none is close.
std::string ClosestName(std::string_view word, const std::vector<std::string>& names);

// When argv names no command or an unknown one: the two lines to print (what failed, what to
// do). Empty when the command is known or --help/--version was asked for.
std::string CommandProblem(const std::vector<std::string>& args,
                           const std::vector<std::string>& commands);

// "agentboot 0.1.0 (commit 1a2b3c4, RelWithDebInfo build)".
std::string VersionText();

}  // namespace agentboot::cli

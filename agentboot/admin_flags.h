// Flags and output helpers shared by the admin commands (prune, placeholder, doctor); the
// duration parser also reads run's --rotate-key-every.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agentboot/base.h"

namespace agentboot::cli {

// "90s", "45m", "12h", "30d" (or plain seconds); `flag` names the option in the error.
[[nodiscard]] Result<Duration> ParseAdminDuration(const std::string& flag, const std::string& text);

// "1d 2h", "3h 4m", "5m 6s", "7s": the largest two units.
std::string FormatAge(Duration age);

// --output table|json.
void AddOutputOption(CLI::App& command, std::string& output);

// Left-aligned columns separated by two spaces; the first row is the header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// kInvalidArgument with advice when the organization URL is empty.
[[nodiscard]] Status RequireUrl(const std::string& url, const std::string& command);

}  // namespace agentboot::cli

#include "cli_messages.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "app.h"

#ifndef AGENTBOOT_COMMIT
#define AGENTBOOT_COMMIT "unknown"
#endif
#ifndef AGENTBOOT_BUILD_TYPE
#define AGENTBOOT_BUILD_TYPE "unknown"
#endif

namespace agentboot::cli {
namespace {

// Global options that take a value (main.cc's AddGlobalOptions).
constexpr std::array<std::string_view, 8> kValueOptions = {
    "--identity", "--client-id",  "--object-id",   "--resource-id",
    "--ca-file",  "--log-format", "--arc-key-dir", "--az-path"};

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? size_t{0} : size_t{1})});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::string FailureMessage(const CLI::App* /*app*/, const CLI::Error& error) {
  std::istringstream lines(error.what());
  std::string out;
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    out += "agentboot: " + line + "\n";
    ++count;
  }
  if (count < 2) {
    out += "agentboot: Run `agentboot --help` (or `agentboot <command> --help`) for the options.\n";
  }
  return out;
}

std::optional<std::string> CommandWord(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.empty() || arg[0] != '-') return arg;
    if (arg.find('=') != std::string::npos) continue;
    if (std::find(kValueOptions.begin(), kValueOptions.end(), arg) != kValueOptions.end()) ++i;
  }
  return std::nullopt;
}

std::string ClosestName(std::string_view word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_distance = 4;
  for (const auto& name : names) {
    const size_t distance = EditDistance(word, name);
    if (distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string CommandProblem(const std::vector<std::string>& args,
                           const std::vector<std::string>& commands) {
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h" || arg == "--version") return {};
  }
  const auto word = CommandWord(args);
  const std::string list = "The commands are " + Join(commands) + "; see `agentboot --help`.";
  if (!word) return "agentboot: no command given\nagentboot: " + list + "\n";
  if (std::find(commands.begin(), commands.end(), *word) != commands.end()) return {};
  std::string text = "agentboot: unknown command '" + *word + "'\nagentboot: ";
  if (const std::string closest = ClosestName(*word, commands); !closest.empty()) {
    text += "Did you mean `agentboot " + closest + "`? ";
  }
  return text + list + "\n";
}

std::string VersionText() {
  return "agentboot " + std::string(kVersion) + " (commit " + AGENTBOOT_COMMIT + ", " +
         AGENTBOOT_BUILD_TYPE + " build)";
}

}  // namespace agentboot::cli

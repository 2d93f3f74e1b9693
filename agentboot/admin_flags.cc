#include "admin_flags.h"

#include <algorithm>
#include <charconv>

namespace agentboot::cli {

Result<Duration> ParseAdminDuration(const std::string& flag, const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [next, error] = std::from_chars(text.data(), end, value);
  const auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument, flag + " " + text, "not a positive duration",
                "Write it as 90s, 45m, 12h or 30d.");
  };
  if (error != std::errc() || value <= 0 || value > 100'000'000 || end - next > 1) return bad();
  switch (next == end ? 's' : *next) {
    case 's':
      return std::chrono::duration_cast<Duration>(std::chrono::seconds(value));
    case 'm':
      return std::chrono::duration_cast<Duration>(std::chrono::minutes(value));
    case 'h':
      return std::chrono::duration_cast<Duration>(std::chrono::hours(value));
    case 'd':
      return std::chrono::duration_cast<Duration>(std::chrono::hours(24 * value));
    default:
      return bad();
  }
}

std::string FormatAge(Duration age) {
  int64_t s = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
  const int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
  s %= 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

void AddOutputOption(CLI::App& command, std::string& output) {
  command.add_option("--output,-o", output, "table (for people, default) or json (for scripts)")
      ->check(CLI::IsMember({"table", "json"}));
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

Status RequireUrl(const std::string& url, const std::string& command) {
  if (!url.empty()) return {};
  return Fail(ErrorCode::kInvalidArgument, command, "no organization URL",
              "Pass --url https://dev.azure.com/<org> or set AZP_URL.");
}

}  // namespace agentboot::cli

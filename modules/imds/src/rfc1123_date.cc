#include "rfc1123_date.h"

#include <array>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace agentboot::imds::detail {
namespace {

std::optional<unsigned> MonthFromName(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoreCase(name, kMonths[i])) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

bool IsDayName(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu",
                                                            "fri", "sat", "sun"};
  for (std::string_view day : kDays) {
    if (EqualsIgnoreCase(name, day)) return true;
  }
  return false;
}

// A field of exactly `min_digits` to `max_digits` decimal digits within [low, high].
std::optional<int64_t> Number(std::string_view text, size_t min_digits, size_t max_digits,
                              int64_t low, int64_t high) {
  if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto value = ParseInt64(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return value;
}

}  // namespace

std::optional<TimePoint> ParseRfc1123(std::string_view text) {
  std::vector<std::string> tokens;
  for (std::string& token : Split(Trim(text), ' ')) {
    if (!token.empty()) tokens.push_back(std::move(token));
  }
  if (tokens.size() != 6 || !EndsWith(tokens[0], ",")) return std::nullopt;
  if (!IsDayName(std::string_view(tokens[0]).substr(0, tokens[0].size() - 1))) return std::nullopt;
  if (tokens[5] != "GMT" && tokens[5] != "UTC") return std::nullopt;
  const auto day = Number(tokens[1], 1, 2, 1, 31);
  const auto month = MonthFromName(tokens[2]);
  const auto year = Number(tokens[3], 4, 4, 1970, 9999);
  const auto hms = Split(tokens[4], ':');
  if (!day || !month || !year || hms.size() != 3) return std::nullopt;
  const auto hours = Number(hms[0], 2, 2, 0, 23);
  const auto minutes = Number(hms[1], 2, 2, 0, 59);
  const auto seconds = Number(hms[2], 2, 2, 0, 60);
  if (!hours || !minutes || !seconds) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(*month),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return TimePoint(std::chrono::sys_days(date)) + std::chrono::hours(*hours) +
         std::chrono::minutes(*minutes) + std::chrono::seconds(*seconds);
}

}  // namespace agentboot::imds::detail

// The pure retry policy: how long the server asked us to wait and how long to back off.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "agentboot/http.h"

namespace agentboot::http {
namespace {

// Any server wait is read as at most this many seconds before it becomes a Duration: larger
// numbers (Retry-After: 99999999999999999) would overflow the millisecond conversion, and every
// caller caps the wait at kMaxServerDelay anyway.
constexpr int64_t kMaxParsedDelaySeconds = 24 * 3600;

Duration BoundedSeconds(int64_t seconds) {
  return std::chrono::seconds(std::clamp<int64_t>(seconds, 0, kMaxParsedDelaySeconds));
}

std::optional<unsigned> MonthFromName(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (EqualsIgnoreCase(name, kMonths[i])) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

std::optional<int64_t> Number(std::string_view text, int64_t low, int64_t high) {
  const auto value = ParseInt64(text);
  if (!value || *value < low || *value > high) return std::nullopt;
  return value;
}

struct DateParts {
  std::string day, month, year, time;
};

// Splits the three HTTP date forms (RFC 9110 §5.6.7) into their fields:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
//   asctime      "Sun Nov  6 08:49:37 1994"
std::optional<DateParts> SplitHttpDate(std::string_view text) {
  std::vector<std::string> tokens;
  for (const std::string& token : Split(text, ' ')) {
    if (!token.empty()) tokens.push_back(token);
  }
  if (tokens.size() == 6 && EndsWith(tokens[0], ",") && tokens[5] == "GMT") {
    return DateParts{tokens[1], tokens[2], tokens[3], tokens[4]};
  }
  if (tokens.size() == 4 && EndsWith(tokens[0], ",") && tokens[3] == "GMT") {
    const auto dmy = Split(tokens[1], '-');
    if (dmy.size() != 3) return std::nullopt;
    return DateParts{dmy[0], dmy[1], dmy[2], tokens[2]};
  }
  if (tokens.size() == 5) return DateParts{tokens[2], tokens[1], tokens[4], tokens[3]};
  return std::nullopt;
}

std::optional<Duration> Milliseconds(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  const auto ms = ParseInt64(Trim(*value));
  if (!ms || *ms < 0) return std::nullopt;
  return Duration(std::min<int64_t>(*ms, kMaxParsedDelaySeconds * 1000));
}

}  // namespace

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  const auto parts = SplitHttpDate(text);
  if (!parts) return std::nullopt;
  const auto month = MonthFromName(parts->month);
  const auto day = Number(parts->day, 1, 31);
  // Beyond 2200 a TimePoint (nanoseconds since 1970, good to 2262) would overflow.
  auto year = Number(parts->year, 0, 2200);
  const auto hms = Split(parts->time, ':');
  if (!month || !day || !year || hms.size() != 3) return std::nullopt;
  if (parts->year.size() == 2) *year += *year < 70 ? 2000 : 1900;  // RFC 850's two-digit year
  const auto hours = Number(hms[0], 0, 23);
  const auto minutes = Number(hms[1], 0, 59);
  const auto seconds = Number(hms[2], 0, 60);
  if (!hours || !minutes || !seconds) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(*month),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return TimePoint(std::chrono::sys_days(date)) + std::chrono::hours(*hours) +
         std::chrono::minutes(*minutes) + std::chrono::seconds(*seconds);
}

std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now) {
  const std::string text = Trim(value);
  if (text.empty()) return std::nullopt;
  if (const auto seconds = ParseInt64(text)) {
    if (*seconds < 0) return std::nullopt;
    return BoundedSeconds(*seconds);
  }
  const auto date = ParseHttpDate(text);
  if (!date) return std::nullopt;
  if (*date <= now) return Duration::zero();
  return std::min(std::chrono::duration_cast<Duration>(*date - now),
                  BoundedSeconds(kMaxParsedDelaySeconds));
}

std::optional<Duration> ServerRequestedDelay(const Response& response, TimePoint now) {
  if (const auto retry_after = response.Header("Retry-After")) {
    if (auto delay = ParseRetryAfter(*retry_after, now)) return delay;
  }
  if (auto delay = Milliseconds(response.Header("retry-after-ms"))) return delay;
  if (auto delay = Milliseconds(response.Header("x-ms-retry-after-ms"))) return delay;
  // Azure DevOps: the Unix time at which the identity's usage is back to zero (§6.5).
  if (const auto reset = response.Header("X-RateLimit-Reset")) {
    if (const auto epoch = ParseInt64(Trim(*reset)); epoch && *epoch >= 0) {
      // Subtract in whole seconds (no overflow for any int64 >= 0), then bound before converting.
      return BoundedSeconds(*epoch - std::min(*epoch, ToUnixSeconds(now)));
    }
  }
  return std::nullopt;
}

Duration CapServerDelay(Duration server_delay) {
  return std::clamp(server_delay, Duration::zero(), kMaxServerDelay);
}

Duration BackoffDelay(const BackoffPolicy& policy, int attempt, Random& random,
                      std::optional<Duration> server_delay) {
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  ExponentialBackoff backoff;
  backoff.initial = policy.initial;
  backoff.max = policy.max_delay;
  backoff.multiplier = policy.multiplier;
  backoff.jitter_below = jitter;
  backoff.jitter_above = jitter;
  const double jitter01 = backoff.has_jitter() ? random.Uniform(0.0, 1.0) : 0.0;
  Duration delay = agentboot::BackoffDelay(backoff, attempt, jitter01);
  if (server_delay) {
    // A server that asked for a wait gets at least that, but never more than 5 minutes: an
    // absurd Retry-After must not park the bootstrapper for hours.
    delay = std::max(delay, CapServerDelay(*server_delay));
  }
  return delay;
}

}  // namespace agentboot::http

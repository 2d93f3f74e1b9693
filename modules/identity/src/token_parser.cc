// Token JSON parsing (identity-contract §1.2, §4.3, §8): every expiry shape seen in the wild.
#include "token_parser.h"

#include <cstdio>
#include <ctime>

#include "agentboot/identity.h"

namespace agentboot::identity {
namespace detail {
namespace {

// 2001-01-01: smaller "expires_on" values are relative seconds (MSAL .NET rule, §1.2).
constexpr int64_t kRelativeThreshold = 978307200;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int offset_seconds = 0;  // east of UTC
};

bool Valid(const Civil& c) {
  return c.year >= 1970 && c.year <= 2200 && c.month >= 1 && c.month <= 12 && c.day >= 1 &&
         c.day <= 31 && c.hour >= 0 && c.hour <= 23 && c.minute >= 0 && c.minute <= 59 &&
         c.second >= 0 && c.second <= 60;
}

std::optional<TimePoint> ToTimePoint(const Civil& c) {
  if (!Valid(c)) return std::nullopt;
  const int64_t seconds = DaysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 +
                          c.minute * 60 + c.second - c.offset_seconds;
  return FromUnixSeconds(seconds);
}

// Parses "", "Z", "+hh:mm", "-hhmm", "GMT", "UTC" (after optional spaces) into an offset.
std::optional<int> ParseZone(std::string_view rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest == "Z" || rest == "z" || rest == "GMT" || rest == "UTC") return 0;
  if (rest.front() != '+' && rest.front() != '-') return std::nullopt;
  const int sign = rest.front() == '-' ? -1 : 1;
  std::string digits;
  for (const char c : rest.substr(1)) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != ':')
      return std::nullopt;
  }
  if (digits.size() != 4) return std::nullopt;
  const auto hh = ParseInt64(digits.substr(0, 2));
  const auto mm = ParseInt64(digits.substr(2, 2));
  if (!hh || !mm) return std::nullopt;
  return sign * static_cast<int>(*hh * 3600 + *mm * 60);
}

// Skips ".123456" fractional seconds.
std::string_view SkipFraction(std::string_view rest) {
  if (rest.empty() || rest.front() != '.') return rest;
  rest.remove_prefix(1);
  while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  return rest;
}

std::optional<TimePoint> ParseRfc3339(const std::string& text) {
  Civil c;
  char separator = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &c.year, &c.month, &c.day, &separator,
                  &c.hour, &c.minute, &c.second, &used) != 7 ||
      (separator != 'T' && separator != 't' && separator != ' ')) {
    return std::nullopt;
  }
  const auto zone =
      ParseZone(SkipFraction(std::string_view(text).substr(static_cast<size_t>(used))));
  if (!zone) return std::nullopt;
  c.offset_seconds = *zone;
  return ToTimePoint(c);
}

std::optional<TimePoint> ParseRfc1123(const std::string& text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c;
  char weekday[4] = {};
  char month[4] = {};
  int used = 0;
  if (std::sscanf(text.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d%n", weekday, &c.day, month, &c.year,
                  &c.hour, &c.minute, &c.second, &used) != 7) {
    return std::nullopt;
  }
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == std::string_view(month)) c.month = i + 1;
  }
  const auto zone = ParseZone(std::string_view(text).substr(static_cast<size_t>(used)));
  if (!zone) return std::nullopt;
  c.offset_seconds = *zone;
  return ToTimePoint(c);
}

// App Service 2017: "11/29/2026 12:00:00 PM +00:00" or "11/05/2021 15:18:31 +00:00".
std::optional<TimePoint> ParseUsDate(const std::string& text) {
  Civil c;
  int used = 0;
  if (std::sscanf(text.c_str(), "%2d/%2d/%4d %2d:%2d:%2d%n", &c.month, &c.day, &c.year, &c.hour,
                  &c.minute, &c.second, &used) != 6) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(text).substr(static_cast<size_t>(used));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (StartsWith(rest, "AM") || StartsWith(rest, "PM")) {
    if (c.hour < 1 || c.hour > 12) return std::nullopt;
    if (c.hour == 12) c.hour = 0;
    if (StartsWith(rest, "PM")) c.hour += 12;
    rest.remove_prefix(2);
  }
  const auto zone = ParseZone(rest);
  if (!zone) return std::nullopt;
  c.offset_seconds = *zone;
  return ToTimePoint(c);
}

// A double as whole seconds, only when it fits: casting NaN, inf or 1e300 to int64 is UB.
std::optional<int64_t> WholeSeconds(double real) {
  constexpr double kLimit = 9.0e18;  // below INT64_MAX (9.22e18), exactly representable
  if (!(real > -kLimit && real < kLimit)) return std::nullopt;
  return static_cast<int64_t>(real);
}

}  // namespace

std::optional<int64_t> SecondsValue(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto whole = value.get<uint64_t>();
    if (whole > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(whole);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number_float()) return WholeSeconds(value.get<double>());
  if (!value.is_string()) return std::nullopt;
  const std::string text = Trim(value.get<std::string>());
  if (auto whole = ParseInt64(text)) return whole;
  if (auto real = ParseDouble(text)) return WholeSeconds(*real);
  return std::nullopt;
}

std::optional<TimePoint> ExpiryWithinLimit(std::optional<TimePoint> expiry, TimePoint now) {
  if (!expiry || (*expiry > now && *expiry - now > kMaxTokenLifetime)) return std::nullopt;
  return expiry;
}

std::optional<TimePoint> ExpiryAfter(int64_t seconds, TimePoint now) {
  // Compared in seconds before any arithmetic: 1e10 s would overflow a nanosecond TimePoint.
  if (seconds <= 0 || seconds > kMaxTokenLifetime.count() / 1000) return std::nullopt;
  return now + std::chrono::seconds(seconds);
}

std::optional<TimePoint> ParseTimestamp(std::string_view text) {
  const std::string trimmed = Trim(text);
  if (auto t = ParseRfc3339(trimmed)) return t;
  if (auto t = ParseRfc1123(trimmed)) return t;
  return ParseUsDate(trimmed);
}

std::optional<TimePoint> ParseExpiresOn(const nlohmann::json& value, TimePoint now) {
  if (const auto seconds = SecondsValue(value)) {
    if (*seconds <= 0) return std::nullopt;
    if (*seconds < kRelativeThreshold) return ExpiryAfter(*seconds, now);
    // Compared in seconds first: FromUnixSeconds saturates, but 1e18 is no date at all.
    if (*seconds - ToUnixSeconds(now) > kMaxTokenLifetime.count() / 1000) return std::nullopt;
    return ExpiryWithinLimit(FromUnixSeconds(*seconds), now);
  }
  if (value.is_string()) return ExpiryWithinLimit(ParseTimestamp(value.get<std::string>()), now);
  return std::nullopt;
}

std::optional<TimePoint> ParseLocalTimestamp(std::string_view text) {
  const std::string trimmed = Trim(text);
  std::tm parts{};
  char separator = 0;
  if (std::sscanf(trimmed.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &separator, &parts.tm_hour, &parts.tm_min, &parts.tm_sec) != 7 ||
      (separator != ' ' && separator != 'T')) {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  parts.tm_isdst = -1;  // let the C library decide DST for this local time
  const std::time_t seconds = std::mktime(&parts);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return FromUnixSeconds(static_cast<int64_t>(seconds));
}

}  // namespace detail

Result<AccessToken> ParseTokenResponse(std::string_view body, TimePoint now,
                                       std::string_view source) {
  const std::string context = "identity/" + std::string(source) + ": parse token response";
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return Fail(
        ErrorCode::kInternal, context, "the token response is not a JSON object",
        "Check that the identity endpoint is the real one and not a proxy or captive portal.");
  }
  const auto token = json.find("access_token");
  if (token == json.end() || !token->is_string() || token->get<std::string>().empty()) {
    return Fail(
        ErrorCode::kInternal, context, "the token response has no access_token",
        "Check that the identity endpoint is the real one and not a proxy or captive portal.");
  }
  std::optional<TimePoint> expires;
  // expires_on is absolute and so preferred (as MSAL Go does); expires_in is the fallback.
  if (const auto on = json.find("expires_on"); on != json.end()) {
    expires = detail::ParseExpiresOn(*on, now);
  }
  if (const auto in = json.find("expires_in"); !expires && in != json.end()) {
    if (const auto seconds = detail::SecondsValue(*in))
      expires = detail::ExpiryAfter(*seconds, now);
  }
  if (!expires) {
    return Fail(ErrorCode::kInternal, context,
                "the token response has no usable expires_on or expires_in (a lifetime from 1 s "
                "to 30 days)",
                "Report this response shape: the identity endpoint answered an unknown format.");
  }
  AccessToken result;
  result.token = Secret(token->get<std::string>());
  result.expires_on = *expires;
  result.source = std::string(source);
  if (const auto in = json.find("refresh_in"); in != json.end()) {
    if (const auto seconds = detail::SecondsValue(*in)) {
      if (auto refresh = detail::ExpiryAfter(*seconds, now)) result.refresh_on = refresh;
    }
  }
  return result;
}

}  // namespace agentboot::identity

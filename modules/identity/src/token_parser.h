// Time formats found in token responses (identity-contract §1.2, §8). Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::identity::detail {

// The longest token lifetime accepted. Entra and managed identity tokens live at most about a
// day; anything beyond 30 days is a broken or hostile endpoint and is refused (security review
// L6), which also keeps every expiry computation far from TimePoint overflow.
inline constexpr Duration kMaxTokenLifetime{std::chrono::hours(24 * 30)};

// A JSON number or numeric string, as whole seconds. nullopt for anything else, including
// numbers outside int64 (floats are checked before the conversion).
std::optional<int64_t> SecondsValue(const nlohmann::json& value);

// now + seconds when 0 < seconds <= kMaxTokenLifetime, else nullopt (no overflow).
std::optional<TimePoint> ExpiryAfter(int64_t seconds, TimePoint now);
// `expiry` unless it lies beyond now + kMaxTokenLifetime (or is nullopt).
std::optional<TimePoint> ExpiryWithinLimit(std::optional<TimePoint> expiry, TimePoint now);

// expires_on in any of the §1.2 forms: Unix seconds (number or string; below 978307200 it is
// relative to `now`), RFC 3339, RFC 1123, or "M/d/yyyy h:mm:ss [AM|PM] [+hh:mm]". nullopt
// when the result lies beyond now + kMaxTokenLifetime.
std::optional<TimePoint> ParseExpiresOn(const nlohmann::json& value, TimePoint now);

// An absolute timestamp in text form (the non-numeric cases above); no zone means UTC.
std::optional<TimePoint> ParseTimestamp(std::string_view text);

// The Azure CLI's expiresOn: "YYYY-MM-DD HH:MM:SS[.ffffff]" in the host's local time (§8).
std::optional<TimePoint> ParseLocalTimestamp(std::string_view text);

}  // namespace agentboot::identity::detail

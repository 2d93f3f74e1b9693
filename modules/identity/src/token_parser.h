// Time formats found in token responses (identity-contract §1.2, §8). Pure functions.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::identity::detail {

// A JSON number or numeric string, as whole seconds. nullopt for anything else.
std::optional<int64_t> SecondsValue(const nlohmann::json& value);

// expires_on in any of the §1.2 forms: Unix seconds (number or string; below 978307200 it is
// relative to `now`), RFC 3339, RFC 1123, or "M/d/yyyy h:mm:ss [AM|PM] [+hh:mm]".
std::optional<TimePoint> ParseExpiresOn(const nlohmann::json& value, TimePoint now);

// An absolute timestamp in text form (the non-numeric cases above); no zone means UTC.
std::optional<TimePoint> ParseTimestamp(std::string_view text);

// The Azure CLI's expiresOn: "YYYY-MM-DD HH:MM:SS[.ffffff]" in the host's local time (§8).
std::optional<TimePoint> ParseLocalTimestamp(std::string_view text);

}  // namespace agentboot::identity::detail

// RFC 1123 dates as IMDS writes NotBefore: "Mon, 11 Apr 2026 22:26:58 GMT".
#pragma once

#include <optional>
#include <string_view>

#include "agentboot/base.h"

namespace agentboot::imds::detail {

// The time, or nullopt when `text` is not "<Day>, DD Mon YYYY HH:MM:SS GMT" (UTC is accepted for
// GMT). The weekday name is required but not checked against the date: the contract's own
// example pairs "Mon" with a Saturday.
std::optional<TimePoint> ParseRfc1123(std::string_view text);

}  // namespace agentboot::imds::detail

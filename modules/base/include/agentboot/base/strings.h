// agentboot::base — Small string helpers shared by every module. Included through agentboot/base.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base/clock.h"

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Small helpers shared by every module.

std::string Trim(std::string_view text);
std::vector<std::string> Split(std::string_view text, char separator);
bool StartsWith(std::string_view text, std::string_view prefix) noexcept;
bool EndsWith(std::string_view text, std::string_view suffix) noexcept;
std::string ToLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;
std::string UrlEncode(std::string_view text);  // RFC 3986 unreserved characters kept
std::string UrlDecode(std::string_view text);  // '+' becomes a space
std::optional<int64_t> ParseInt64(std::string_view text) noexcept;
std::optional<double> ParseDouble(std::string_view text) noexcept;
std::string NewGuid(Random& random);  // lower-case D format
// "" when `text` is valid UTF-8 without control characters (C0, DEL, C1); otherwise what is
// wrong and where, e.g. "byte 4 is a control character (0x0a, a line break)". Never echoes the
// text itself.
std::string TextProblem(std::string_view text);
// Joins a base URL and a path with exactly one '/' between them.
std::string JoinUrl(std::string_view base, std::string_view path);
// Joins a directory and a relative name with exactly one '/' between them ("/a/" + "b" ->
// "/a/b"); an empty directory gives the name unchanged. Nothing is resolved or checked.
std::string JoinPath(std::string_view directory, std::string_view name);

}  // namespace agentboot

// Private helpers for reading and writing the agent's JSON files the way Newtonsoft.Json and
// File.WriteAllText(…, Encoding.UTF8) do (agent-contract §2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::agent::detail {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// BOM + Formatting.Indented (2 spaces, "\n", no trailing newline). Invalid UTF-8 in a string is
// replaced rather than thrown on.
std::string WriteIndented(const nlohmann::ordered_json& value);

// Strips an optional BOM and parses a JSON object. kInvalidArgument otherwise. The error never
// quotes the content.
Result<nlohmann::json> ParseObject(std::string_view text, const std::string& context);

// A member by exact name, then (unless case_sensitive) by case-insensitive name, as Newtonsoft
// binds properties. nullptr when absent or JSON null.
const nlohmann::json* FindMember(const nlohmann::json& object, std::string_view name,
                                 bool case_sensitive);

// Typed optional members: nullopt when absent; kInvalidArgument when present with another type.
Result<std::optional<std::string>> GetString(const nlohmann::json& object, std::string_view name,
                                             bool case_sensitive, const std::string& context);
Result<std::optional<int>> GetInt(const nlohmann::json& object, std::string_view name,
                                  const std::string& context);
Result<std::optional<bool>> GetBool(const nlohmann::json& object, std::string_view name,
                                    bool case_sensitive, const std::string& context);

}  // namespace agentboot::agent::detail

#include "json_file.h"

#include <limits>

namespace agentboot::agent::detail {

std::string WriteIndented(const nlohmann::ordered_json& value) {
  return std::string(kUtf8Bom) +
         value.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

Result<nlohmann::json> ParseObject(std::string_view text, const std::string& context) {
  if (StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    value = nlohmann::json::value_t::discarded;
  }
  if (value.is_discarded()) return Fail(ErrorCode::kInvalidArgument, context, "not valid JSON");
  if (!value.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, context, "not a JSON object");
  }
  return value;
}

const nlohmann::json* FindMember(const nlohmann::json& object, std::string_view name,
                                 bool case_sensitive) {
  const nlohmann::json* found = nullptr;
  if (const auto it = object.find(name); it != object.end()) {
    found = &*it;
  } else if (!case_sensitive) {
    for (const auto& [key, member] : object.items()) {
      if (EqualsIgnoreCase(key, name)) {
        found = &member;
        break;
      }
    }
  }
  return found == nullptr || found->is_null() ? nullptr : found;
}

namespace {

tl::unexpected<Error> WrongType(std::string_view name, const char* type,
                                const std::string& context) {
  return Fail(ErrorCode::kInvalidArgument, context,
              "\"" + std::string(name) + "\" must be " + type);
}

}  // namespace

Result<std::optional<std::string>> GetString(const nlohmann::json& object, std::string_view name,
                                             bool case_sensitive, const std::string& context) {
  const nlohmann::json* member = FindMember(object, name, case_sensitive);
  if (member == nullptr) return std::optional<std::string>();
  if (!member->is_string()) return WrongType(name, "a string", context);
  return std::optional<std::string>(member->get<std::string>());
}

Result<std::optional<int>> GetInt(const nlohmann::json& object, std::string_view name,
                                  const std::string& context) {
  const nlohmann::json* member = FindMember(object, name, /*case_sensitive=*/false);
  if (member == nullptr) return std::optional<int>();
  if (!member->is_number_integer()) return WrongType(name, "an integer", context);
  if (member->is_number_unsigned()) {
    const auto value = member->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      return WrongType(name, "a 32-bit integer", context);
    }
    return std::optional<int>(static_cast<int>(value));
  }
  const auto value = member->get<int64_t>();
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    return WrongType(name, "a 32-bit integer", context);
  }
  return std::optional<int>(static_cast<int>(value));
}

Result<std::optional<bool>> GetBool(const nlohmann::json& object, std::string_view name,
                                    bool case_sensitive, const std::string& context) {
  const nlohmann::json* member = FindMember(object, name, case_sensitive);
  if (member == nullptr) return std::optional<bool>();
  if (!member->is_boolean()) return WrongType(name, "a boolean", context);
  return std::optional<bool>(member->get<bool>());
}

}  // namespace agentboot::agent::detail

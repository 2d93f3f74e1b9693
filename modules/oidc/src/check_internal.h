// Helpers shared by the check_*.cc files.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "agentboot/oidc.h"

namespace agentboot::oidc::detail {

inline bool HasWhitespace(std::string_view text) {
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) return true;
  }
  return false;
}

inline Finding ErrorFinding(std::string field, std::string message) {
  return Finding{Severity::kError, std::move(field), std::move(message)};
}

inline Finding WarningFinding(std::string field, std::string message) {
  return Finding{Severity::kWarning, std::move(field), std::move(message)};
}

inline std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

}  // namespace agentboot::oidc::detail

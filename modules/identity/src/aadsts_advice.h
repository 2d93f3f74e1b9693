// Entra (AADSTS) errors translated into plain advice (identity-contract §4.3, §4.4). Entra asks
// clients not to depend on codes; the mapping is advice only, and unknown codes fall back to the
// `error` field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::identity::detail {

struct EntraAdvice {
  ErrorCode code = ErrorCode::kUnauthenticated;
  std::string advice;  // one sentence
};

// The AADSTS number from `error_codes[0]` or from "AADSTSnnnn" in error_description.
std::optional<int64_t> ExtractAadstsCode(std::string_view body);

// The advice for an AADSTS number and the OAuth `error` value (e.g. "invalid_client").
EntraAdvice AdviceForEntraError(std::optional<int64_t> aadsts, std::string_view oauth_error);

// The whole error for a non-2xx token-endpoint answer; `context` names the source and request.
Error EntraError(const http::Response& response, std::string context);

}  // namespace agentboot::identity::detail

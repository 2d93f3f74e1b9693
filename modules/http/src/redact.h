// URL redaction for logs (private to agentboot::http).
#pragma once

#include <string>
#include <string_view>

namespace agentboot::http::detail {

// The URL with user info replaced by "***", every query value replaced by "***" except those of
// api-version, resource and client_id (which identify the call without revealing anything), and
// the fragment dropped. Never fails: malformed input is redacted the same way.
std::string RedactUrl(std::string_view url);

}  // namespace agentboot::http::detail

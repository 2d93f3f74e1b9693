// Helpers shared by the managed identity sources: identity selection, URLs, error translation.
#pragma once

#include <string>
#include <string_view>

#include "agentboot/base.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"

namespace agentboot::identity::detail {

enum class SelectorKind { kNone, kClientId, kObjectId, kResourceId };

// Which user-assigned identity to ask for. `explicit_option` is false when the value came from
// AZURE_CLIENT_ID rather than from IdentityOptions.
struct Selector {
  SelectorKind kind = SelectorKind::kNone;
  std::string value;
  bool explicit_option = false;
};

// kInvalidArgument when more than one of client_id/object_id/resource_id is set.
Status ValidateSelection(const IdentityOptions& options);
// The configured selector, else AZURE_CLIENT_ID as a client id, else none (system-assigned).
Selector ResolveSelector(const IdentityOptions& options, const Environment& vars);
std::string DescribeSelector(const Selector& selector);  // "client_id 1234…" or "system-assigned"

// Appends key=value (value percent-encoded) with '?' or '&' as needed.
std::string AppendQuery(std::string url, std::string_view key, std::string_view value);

// "identity/<source>: <METHOD> <url without query>".
std::string RequestContext(std::string_view source, const http::Request& request);

// An error for a missing environment: kUnavailable naming the variables.
Error MissingEnvironment(std::string_view source, std::string_view variables);

// A transport failure (no HTTP status) after retries, with `context` and advice.
Error TransportFailure(const Error& error, std::string context, std::string_view endpoint_name);

// A non-2xx managed identity answer: 400/401/403 → kUnauthenticated, 429 → kThrottled,
// 404/410/5xx → kUnavailable, else kInternal. Reads {"error","error_description"} and the nested
// {"error":{"code","message"}} form; never copies more than a short excerpt of the body.
Error ManagedIdentityHttpError(const http::Response& response, std::string context,
                               std::string_view endpoint_name);

// "error: description" from a JSON error body, or "" when there is none.
std::string ErrorSummary(std::string_view body);

// 2xx → ParseTokenResponse (context added to failures); anything else → ManagedIdentityHttpError.
Result<AccessToken> TokenFromResponse(const http::Response& response, Env& env, std::string context,
                                      std::string_view source);

}  // namespace agentboot::identity::detail

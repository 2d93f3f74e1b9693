// Azure DevOps answers → error values (agent-contract §0.6–0.7, §8; identity-contract §6.4–6.5).
// Private to agentboot::devops.
#pragma once

#include <string>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::devops::detail {

inline constexpr std::string_view kLicenceAdvice =
    "Add the identity to the organization (Organization settings > Users) with a Basic licence, "
    "then try again.";
inline constexpr std::string_view kPoolAdminAdvice =
    "Give the identity the Administrator role on the agent pool (Agent pools > Security), then "
    "try again.";

// True for 203, and for any other 2xx with a body that is not JSON (an HTML sign-in page).
bool IsSignInPage(const http::Response& response);

// The error for a sign-in page or any non-2xx answer. Sets http_status, retryable (429, 502,
// 503, 504) and retry_after (the server's requested delay, relative to `now`).
Error ErrorFromResponse(const http::Response& response, const std::string& context, TimePoint now);

}  // namespace agentboot::devops::detail

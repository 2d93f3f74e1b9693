// The retry loop shared by the token sources (identity-contract §2). Which answers are retried
// depends on the endpoint family; waits go through env.clock, jitter through env.random.
#pragma once

#include <string_view>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::identity::detail {

enum class EndpointFamily {
  kImds,             // 404, 408, 410, 429, 5xx, timeouts, refused connections (§2.1, §2.2)
  kManagedIdentity,  // App Service, Arc, Cloud Shell: 404, 408, 429, 500, 502, 503, 504, timeouts
  kEntra,            // token exchange: 408, 429, 500, 502, 503, 504, timeouts
};

struct RetryRules {
  EndpointFamily family = EndpointFamily::kManagedIdentity;
  // First contact inside the auto chain (§2.3): the first try uses probe_connect_timeout and a
  // transport failure on it is returned at once. Any HTTP answer ends the probe.
  bool probe = false;
  Duration probe_connect_timeout{std::chrono::seconds(1)};
};

// IMDS 410: keep trying for at least 70 s in total (§2.1), 10 s apart.
inline constexpr int kGoneMaxAttempts = 8;
inline constexpr Duration kGoneDelay{std::chrono::seconds(10)};

bool IsRetryableStatus(EndpointFamily family, int status);
bool IsRetryableTransportError(const Error& error);
http::BackoffPolicy BackoffFor(EndpointFamily family);

struct SendOutcome {
  Result<http::Response> result;  // the last answer (any status) or the last transport error
  bool answered = false;          // some try produced an HTTP status
  int attempts = 0;
};

// Sends `request` until it gets an answer that is not retried or the budget is spent.
// `source` names the source in log lines ("imds"). Never logs headers, query values or bodies.
SendOutcome SendWithRetries(const http::Request& request, const RetryRules& rules, Env& env,
                            http::Transport& transport, std::string_view source);

}  // namespace agentboot::identity::detail

#include "retry.h"

#include <algorithm>
#include <optional>
#include <string>

namespace agentboot::identity::detail {
namespace {

std::string UrlWithoutQuery(const std::string& url) { return url.substr(0, url.find('?')); }

void LogRetry(Env& env, std::string_view source, const http::Request& request, int attempt,
              const std::string& reason, Duration delay) {
  env.log.Log(LogLevel::kInfo, "identity", "retrying the identity endpoint",
              {{"source", std::string(source)},
               {"url", UrlWithoutQuery(request.url)},
               {"attempt", std::to_string(attempt)},
               {"reason", reason},
               {"delay_ms", std::to_string(delay.count())}});
}

}  // namespace

bool IsRetryableStatus(EndpointFamily family, int status) {
  switch (family) {
    case EndpointFamily::kImds:
      return status == 404 || status == 408 || status == 410 || status == 429 ||
             (status >= 500 && status <= 599);
    case EndpointFamily::kManagedIdentity:
      return status == 404 || status == 408 || status == 429 || status == 500 || status == 502 ||
             status == 503 || status == 504;
    case EndpointFamily::kEntra:
      return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
             status == 504;
  }
  return false;
}

bool IsRetryableTransportError(const Error& error) {
  // A certificate the trust store rejects stays rejected: the transport marks it not retryable.
  return (error.code == ErrorCode::kDeadlineExceeded || error.code == ErrorCode::kUnavailable) &&
         error.retryable;
}

http::BackoffPolicy BackoffFor(EndpointFamily family) {
  http::BackoffPolicy policy;
  policy.initial = std::chrono::seconds(1);
  policy.max_delay = std::chrono::seconds(30);
  // IMDS: the documented table recommends five retries (§2.1); others 3 retries as MSAL does.
  policy.max_attempts = family == EndpointFamily::kImds ? 6 : 4;
  return policy;
}

// A 429 means many clients asked at once (IMDS: 20 token requests a second per VM, §2): their
// retries are spread over 0.2x-1.8x of the back-off instead of 0.8x-1.2x, so a burst of processes
// on one VM does not come back as one burst (tests/bench/run_imds_burst.sh measures it).
http::BackoffPolicy ThrottledPolicy(http::BackoffPolicy policy) {
  policy.jitter = 0.8;
  return policy;
}

SendOutcome SendWithRetries(const http::Request& request, const RetryRules& rules, Env& env,
                            http::Transport& transport, std::string_view source) {
  const http::BackoffPolicy policy = BackoffFor(rules.family);
  SendOutcome outcome{Fail(ErrorCode::kInternal, "", "not sent"), false, 0};
  std::optional<bool> gone_budget;  // chosen from the first failing answer (MSAL .NET rule)
  while (true) {
    ++outcome.attempts;
    http::Request attempt_request = request;
    attempt_request.abort_on_stop = true;  // a token request changes nothing on the server
    const bool probing = rules.probe && !outcome.answered;
    if (probing) attempt_request.connect_timeout = rules.probe_connect_timeout;
    env.log.Log(LogLevel::kDebug, "identity", "calling the identity endpoint",
                {{"source", std::string(source)},
                 {"method", request.method},
                 {"url", UrlWithoutQuery(request.url)},
                 {"attempt", std::to_string(outcome.attempts)}});
    outcome.result = transport.Send(attempt_request);
    std::optional<Duration> server_delay;
    std::string reason;
    bool throttled = false;
    if (outcome.result) {
      outcome.answered = true;
      const int status = outcome.result->status;
      if (!IsRetryableStatus(rules.family, status)) return outcome;
      server_delay = http::ServerRequestedDelay(*outcome.result, env.clock.Now());
      reason = "HTTP " + std::to_string(status);
      throttled = status == 429;
      if (!gone_budget) gone_budget = rules.family == EndpointFamily::kImds && status == 410;
    } else {
      if (probing) return outcome;  // nothing answers: the chain moves on quickly (§2.3)
      if (!IsRetryableTransportError(outcome.result.error())) return outcome;
      reason = std::string(ErrorCodeName(outcome.result.error().code));
      if (!gone_budget) gone_budget = false;
    }
    const int max_attempts = *gone_budget ? kGoneMaxAttempts : policy.max_attempts;
    if (outcome.attempts >= max_attempts) return outcome;
    const Duration delay =
        *gone_budget
            ? std::max(kGoneDelay, http::CapServerDelay(server_delay.value_or(Duration::zero())))
            : http::BackoffDelay(throttled ? ThrottledPolicy(policy) : policy, outcome.attempts,
                                 env.random, server_delay);
    LogRetry(env, source, request, outcome.attempts, reason, delay);
    if (!SleepUnlessStopped(env.clock, delay)) {
      outcome.result =
          Fail(StoppedError("identity/" + std::string(source), *ProcessStopToken().Requested()));
      return outcome;
    }
  }
}

}  // namespace agentboot::identity::detail

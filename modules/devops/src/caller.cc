#include "caller.h"

#include <random>

#include "errors.h"

namespace agentboot::devops::detail {
namespace {

std::string Base64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const auto n = static_cast<uint32_t>(static_cast<unsigned char>(data[i]) << 16U |
                                         static_cast<unsigned char>(data[i + 1]) << 8U |
                                         static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += kAlphabet[(n >> 6U) & 63U];
    out += kAlphabet[n & 63U];
  }
  if (i < data.size()) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(data[i]) << 16U);
    if (i + 1 < data.size())
      n |= static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1]) << 8U);
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

bool ShouldRetry(const Error& error, bool idempotent) {
  if (!idempotent) return false;
  // Throttling means the request was not processed; 502/504 and transport failures are
  // ambiguous, which is harmless for an idempotent call.
  return error.http_status == 429 || error.http_status == 503 || error.retryable;
}

std::string Seconds(Duration duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

// Says in the error why a throttled call ended: the server's next wait did not fit the budget.
void NoteBudgetSpent(const http::RetryBudget& budget, TimePoint now, Error& error) {
  const Duration left =
      std::max(Duration::zero(), std::chrono::duration_cast<Duration>(budget.deadline() - now));
  error.detail += "; gave up after " + std::to_string(budget.throttled_answers()) +
                  " throttled answers: the service asked to wait " +
                  Seconds(error.retry_after.value_or(Duration::zero())) +
                  " more, and agentboot waits at most " +
                  Seconds(std::min(left, http::kMaxServerDelay)) + " more for this call";
}

}  // namespace

Result<http::Response> Caller::Run(const Call& call) {
  http::RetryBudget budget = NewBudget();
  while (true) {
    Attempt outcome = Once(call);
    if (outcome.result || outcome.token_failed) return std::move(outcome.result);
    Error& error = outcome.result.error();
    if (!ShouldRetry(error, call.idempotent) || !WaitBeforeRetry(budget, error, call)) {
      return std::move(outcome.result);
    }
  }
}

Attempt Caller::Once(const Call& call) {
  const std::string context = call.Context();
  auto token = tokens_.GetToken(options_.token_request);
  if (!token) return Attempt{Fail(identity::IdentityError(std::move(token.error()))), true};
  auto response = transport_.Send(BuildRequest(call, *token));
  if (!response) {
    Error error = std::move(response.error());
    error.context = context;
    return Attempt{Fail(std::move(error))};
  }
  WarnOnThrottling(*response, context);
  const int status = response->status;
  if (status >= 200 && status < 300 && !IsSignInPage(*response))
    return Attempt{std::move(response)};
  return Attempt{Fail(ErrorFromResponse(*response, context, env_.clock.Now()))};
}

const std::string& ProcessSessionId() {
  static const std::string id = [] {
    std::random_device device;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string guid = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
    for (char& c : guid) {
      if (c == 'x') c = "0123456789abcdef"[hex(device)];
    }
    return guid;
  }();
  return id;
}

http::RetryBudget Caller::NewBudget() const {
  return http::RetryBudget(options_.backoff, options_.throttle, env_.clock.Now());
}

bool Caller::WaitBeforeRetry(http::RetryBudget& budget, Error& error, const Call& call) {
  const TimePoint now = env_.clock.Now();
  const bool throttled = error.http_status == 429 || error.http_status == 503;
  const auto delay = budget.Next(throttled, error.retry_after, now, env_.random);
  if (!delay) {
    if (budget.throttle_budget_spent()) NoteBudgetSpent(budget, now, error);
    return false;
  }
  env_.log.Log(LogLevel::kInfo, "devops", "retrying Azure DevOps call",
               {{"call", call.Context()},
                {"error", error.detail},
                {"throttled_answers", std::to_string(budget.throttled_answers())},
                {"delay_ms", std::to_string(delay->count())}});
  // A stop during the wait ends the retries (security review M8); nothing more is sent.
  return SleepUnlessStopped(env_.clock, *delay);
}

http::Request Caller::BuildRequest(const Call& call, const identity::AccessToken& token) const {
  http::Request request;
  request.method = call.method;
  request.url = JoinUrl(options_.organization_url, call.route);
  request.timeout = options_.timeout;
  request.headers = {
      {"Authorization", AuthorizationHeader(token).Reveal()},
      // api-version goes in Accept, as the official client sends it (agent-contract §0.3).
      {"Accept", "application/json; api-version=" +
                     (call.preview ? options_.preview_api_version : options_.api_version)},
      // Ask for a 401 instead of a redirect to the sign-in page (agent-contract §8).
      {"X-TFS-FedAuthRedirect", "Suppress"},
      {"User-Agent", "agentboot/" + options_.agentboot_version},
      // One id per process, as Microsoft's clients send one per VssHttpRequestSettings
      // (X-TFS-Session, VssHttpHeaders.TFS_SESSION_HEADER): it tells the service's request
      // tracing, and the simulator's Retry-After accounting, which requests came from one client.
      {"X-TFS-Session", ProcessSessionId()},
  };
  if (call.body) {
    request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    request.body = *call.body;
  }
  return request;
}

// Azure DevOps sends these before it starts delaying requests (identity-contract §6.5).
void Caller::WarnOnThrottling(const http::Response& response, const std::string& context) {
  const auto remaining = response.Header("X-RateLimit-Remaining");
  const auto delay = response.Header("X-RateLimit-Delay");
  if (!delay && !(remaining && Trim(*remaining) == "0")) return;
  std::vector<LogField> fields = {{"call", context}};
  if (delay) fields.push_back({"delay_seconds", *delay});
  if (remaining) fields.push_back({"remaining", *remaining});
  if (const auto resource = response.Header("X-RateLimit-Resource")) {
    fields.push_back({"resource", *resource});
  }
  if (const auto reset = response.Header("X-RateLimit-Reset")) fields.push_back({"reset", *reset});
  env_.log.Log(LogLevel::kWarning, "devops", "Azure DevOps is rate-limiting this identity", fields);
}

}  // namespace agentboot::devops::detail

namespace agentboot::devops {

Secret AuthorizationHeader(const identity::AccessToken& token) {
  if (token.is_pat) {
    // Azure DevOps takes a PAT as Basic with an empty user name.
    return Secret("Basic " + detail::Base64(":" + token.token.Reveal()));
  }
  return Secret("Bearer " + token.token.Reveal());
}

}  // namespace agentboot::devops

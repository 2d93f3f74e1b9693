// Caller: one authenticated Azure DevOps exchange, and the retry loop around it. Private to
// agentboot::devops. Keeps no mutable state; references must outlive it.
#pragma once

#include <optional>
#include <string>

#include "agentboot/devops.h"

namespace agentboot::devops::detail {

struct Call {
  std::string method = "GET";
  std::string route;  // relative to the organization URL, query included
  std::optional<std::string> body;
  bool idempotent = true;
  bool preview = false;  // send ClientOptions::preview_api_version instead of api_version
  // "GET _apis/…": the route without the organization, for error contexts.
  std::string Context() const { return method + " " + route; }
};

struct Attempt {
  Result<http::Response> result;
  bool token_failed = false;  // the TokenSource failed: never retried here
};

// A random GUID drawn once per process: the X-TFS-Session header of every call.
const std::string& ProcessSessionId();

class Caller {
 public:
  Caller(ClientOptions options, http::Transport& transport, identity::TokenSource& tokens, Env& env)
      : options_(std::move(options)), transport_(transport), tokens_(tokens), env_(env) {}
  Caller(const Caller&) = delete;
  Caller& operator=(const Caller&) = delete;

  // A 2xx JSON (or empty) answer, or the error after bounded retries: 429 and 503 for every
  // idempotent call; 502, 504 and retryable transport failures too. Non-idempotent calls are
  // tried once.
  [[nodiscard]] Result<http::Response> Run(const Call& call);
  // Exactly one exchange: a fresh token, the request, the answer mapped to an error.
  [[nodiscard]] Attempt Once(const Call& call);
  // The retry budget of one call whose first try is sent now (ClientOptions::backoff and
  // ::throttle).
  http::RetryBudget NewBudget() const;
  // After the failed try of `call` that gave `error`: sleeps (through Env::clock) before the
  // next try and returns true; false when the budget is spent (`error` then says so) or a stop
  // was asked for meanwhile (ProcessStopToken).
  bool WaitBeforeRetry(http::RetryBudget& budget, Error& error, const Call& call);

  const ClientOptions& options() const { return options_; }
  Env& env() { return env_; }

 private:
  http::Request BuildRequest(const Call& call, const identity::AccessToken& token) const;
  void WarnOnThrottling(const http::Response& response, const std::string& context);

  ClientOptions options_;
  http::Transport& transport_;
  identity::TokenSource& tokens_;
  Env& env_;
};

}  // namespace agentboot::devops::detail

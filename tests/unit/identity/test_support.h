// Shared pieces of the identity tests.
#pragma once

#include <deque>
#include <mutex>
#include <string>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"
#include "agentboot/identity.h"

namespace agentboot::identity::testing {

using agentboot::testing::FakeEnv;
using http::testing::ScriptedTransport;

// An IMDS-style success body expiring `seconds` after `now`.
inline std::string TokenBody(const std::string& token, TimePoint now, int64_t seconds) {
  return R"({"access_token":")" + token + R"(","expires_in":")" + std::to_string(seconds) +
         R"(","expires_on":")" + std::to_string(ToUnixSeconds(now) + seconds) +
         R"(","token_type":"Bearer"})";
}

// The query value of `key` in `url`, decoded; "" when absent.
inline std::string QueryValue(const std::string& url, const std::string& key) {
  const auto query = url.find('?');
  if (query == std::string::npos) return {};
  for (const auto& pair : Split(url.substr(query + 1), '&')) {
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return UrlDecode(pair.substr(eq + 1));
  }
  return {};
}

inline std::string Path(const std::string& url) { return url.substr(0, url.find('?')); }

// A TokenSource that answers from a script and counts calls.
class FakeSource final : public TokenSource {
 public:
  explicit FakeSource(std::string name = "fake", SourceKind kind = SourceKind::kAuto)
      : name_(std::move(name)), kind_(kind) {}
  std::string_view Name() const override { return name_; }
  SourceKind Kind() const override { return kind_; }
  Result<AccessToken> GetToken(const TokenRequest&) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (script_.empty()) return fallback_;
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }
  void Push(Result<AccessToken> result) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(result));
  }
  void SetFallback(Result<AccessToken> result) {
    std::lock_guard lock(mu_);
    fallback_ = std::move(result);
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::string name_;
  SourceKind kind_;
  mutable std::mutex mu_;
  std::deque<Result<AccessToken>> script_;
  // An absent source (the words of source_common.cc's MissingEnvironment): a chain moves on.
  Result<AccessToken> fallback_ =
      Fail(ErrorCode::kUnavailable, "fake", "not configured on this host: not scripted");
  int calls_ = 0;
};

inline AccessToken Token(const std::string& value, TimePoint expires_on,
                         std::string source = "fake") {
  AccessToken token;
  token.token = Secret(value);
  token.expires_on = expires_on;
  token.source = std::move(source);
  return token;
}

}  // namespace agentboot::identity::testing

// A TokenSource for devops tests: hands out scripted tokens and counts the calls.
#pragma once

#include <deque>
#include <string>

#include "agentboot/identity.h"

namespace agentboot::devops::testing {

class FakeTokenSource final : public identity::TokenSource {
 public:
  explicit FakeTokenSource(std::string token = "token-1", bool is_pat = false)
      : token_(std::move(token)), is_pat_(is_pat) {}

  std::string_view Name() const override { return "fake"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }

  Result<identity::AccessToken> GetToken(const identity::TokenRequest& request) override {
    ++calls_;
    last_resource_ = request.resource;
    if (!failures_.empty()) {
      Error error = failures_.front();
      failures_.pop_front();
      return Fail(std::move(error));
    }
    identity::AccessToken token;
    token.token = Secret(token_ + (numbered_ ? "-" + std::to_string(calls_) : ""));
    token.expires_on = FromUnixSeconds(1'900'000'000);
    token.source = "fake";
    token.is_pat = is_pat_;
    return token;
  }

  void SetPat(bool is_pat) { is_pat_ = is_pat; }
  void FailNext(Error error) { failures_.push_back(std::move(error)); }
  // Each call gets a distinct token "<token>-<n>", to prove tokens are fetched per call.
  void NumberTokens() { numbered_ = true; }
  int calls() const { return calls_; }
  const std::string& last_resource() const { return last_resource_; }

 private:
  std::string token_;
  bool is_pat_;
  bool numbered_ = false;
  int calls_ = 0;
  std::string last_resource_;
  std::deque<Error> failures_;
};

}  // namespace agentboot::devops::testing

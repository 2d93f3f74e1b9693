// A token source that always answers one fixed token: the run tests' identity.
#pragma once

#include "agentboot/identity.h"

namespace agentboot::cli {

class StaticTokens final : public identity::TokenSource {
 public:
  std::string_view Name() const override { return "static"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest& /*request*/) override {
    identity::AccessToken token;
    token.token = Secret("token");
    token.expires_on = FromUnixSeconds(1'900'000'000);
    return token;
  }
};

}  // namespace agentboot::cli

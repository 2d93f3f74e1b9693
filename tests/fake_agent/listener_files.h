// The three files a configured agent reads at start (agent-contract §2), parsed with the real
// listener's strictness: exact key names, BOM allowed, .NET's RSA import length rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agentboot/base.h"
#include "agentboot/jose.h"

namespace agentboot::fake_agent {

struct AgentSettings {
  int64_t agent_id = 0;
  std::string agent_name;
  int64_t pool_id = 0;
  std::string pool_name;
  std::string server_url;
  std::string work_folder;
};

struct OAuthCredentials {
  std::string client_id;
  std::string authorization_url;
  std::string oauth_endpoint_url;  // defaults to authorization_url
};

// kNotFound when .agent is absent (the agent is not configured); kInvalidArgument otherwise.
[[nodiscard]] Result<AgentSettings> ReadAgentSettings(const std::string& root);
[[nodiscard]] Result<OAuthCredentials> ReadCredentials(const std::string& root);
// kInvalidArgument with a CryptographicException-style detail when a field is missing or has
// the wrong length.
[[nodiscard]] Result<jose::RsaKey> ReadRsaParams(const std::string& root);

}  // namespace agentboot::fake_agent

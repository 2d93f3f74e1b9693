// A simulator per test (port 0, its own temp state dir) and a small Poco HTTP client.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/jose.h"
#include "agentboot/sim.h"

namespace agentboot::simdevops_test {

inline constexpr const char* kDevOps = "499b84ac-1321-427f-aa17-267ca6975798";

struct Answer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const;
  nlohmann::json Json() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class SimFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Base() const { return sim_->HttpBaseUrl(); }
  std::string Org() const { return Base() + "/sim"; }
  Answer Send(const std::string& method, const std::string& url, Headers headers = {},
              const std::string& body = "") const;
  Answer Control(const std::string& method, const std::string& path,
                 const nlohmann::json& body = nullptr) const;
  // An IMDS token for the Azure DevOps resource; empty client_id: system-assigned.
  std::string ImdsToken(const std::string& client_id = "") const;
  std::string OidOf(const std::string& kind) const;  // from GET /_control/identities
  // Authenticated DevOps call with the api-version in Accept, like the agent.
  Answer Api(const std::string& method, const std::string& path, const std::string& token,
             const nlohmann::json& body = nullptr) const;

  static nlohmann::json PublicKeyJson(const jose::RsaKey& key);
  static const jose::RsaKey& KeyA();
  static const jose::RsaKey& KeyB();
  // Registers `name` in pool 1 with `key`; returns the agent JSON.
  nlohmann::json RegisterAgent(const std::string& token, const std::string& name,
                               const jose::RsaKey& key) const;

  std::string temp_dir_;
  std::unique_ptr<sim::Simulator> sim_;
};

}  // namespace agentboot::simdevops_test

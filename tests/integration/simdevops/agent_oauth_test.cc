// The agents' runtime OAuth flow (agent-contract §3): JWT client assertion → access token →
// bearer calls; a replaced key retires the old one.
#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

class SimDevOpsAgentOAuth : public SimFixture {
 protected:
  std::string Assertion(const nlohmann::json& agent, const jose::RsaKey& key) {
    const std::string client_id = agent["authorization"]["clientId"];
    const int64_t now = ToUnixSeconds(SystemClock().Now());
    nlohmann::json claims = {{"iss", client_id},
                             {"sub", client_id},
                             {"aud", agent["authorization"]["authorizationUrl"]},
                             {"jti", NewGuid(SystemRandom())},
                             {"nbf", now},
                             {"exp", now + 300}};
    return jose::SignJwt(claims, key).value();
  }
  Answer Token(const nlohmann::json& agent, const std::string& assertion) {
    const std::string form = "grant_type=client_credentials&client_assertion_type=" +
                             UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                             "&client_assertion=" + UrlEncode(assertion);
    return Send(
        "POST", agent["authorization"]["authorizationUrl"],
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
        form);
  }
};

TEST_F(SimDevOpsAgentOAuth, RegisteredKeyGetsATokenThatOpensConnectionData) {
  nlohmann::json agent = RegisterAgent(ImdsToken(), "oauth-agent", KeyA());
  Answer token = Token(agent, Assertion(agent, KeyA()));
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.Json()["token_type"], "Bearer");
  EXPECT_EQ(token.Json()["expires_in"], 3600);
  Answer data = Api("GET", "/_apis/connectionData", token.Json()["access_token"]);
  ASSERT_EQ(data.status, 200) << data.body;
  EXPECT_EQ(data.Json()["authenticatedUser"]["id"], agent["authorization"]["clientId"]);
  // An agent token is not an administrator's.
  EXPECT_EQ(Api("POST", "/_apis/distributedtask/pools/1/agents", token.Json()["access_token"],
                {{"name", "x"}})
                .status,
            401);
}

TEST_F(SimDevOpsAgentOAuth, ReplayedOrForeignAssertionsAreInvalidClient) {
  nlohmann::json agent = RegisterAgent(ImdsToken(), "replay", KeyA());
  const std::string assertion = Assertion(agent, KeyA());
  ASSERT_EQ(Token(agent, assertion).status, 200);
  Answer replay = Token(agent, assertion);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(replay.Json()["error"], "invalid_client");
  EXPECT_EQ(Token(agent, Assertion(agent, KeyB())).status, 400);
}

TEST_F(SimDevOpsAgentOAuth, OldKeyIsRefusedAfterReplace) {
  const std::string admin = ImdsToken();
  nlohmann::json agent = RegisterAgent(admin, "rotated", KeyA());
  nlohmann::json replaced = agent;
  replaced["authorization"] = {{"publicKey", PublicKeyJson(KeyB())}};
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("PUT", path, admin, replaced).status, 200);
  Answer old_key = Token(agent, Assertion(agent, KeyA()));
  EXPECT_EQ(old_key.status, 400);
  EXPECT_EQ(old_key.Json()["error"], "invalid_client");
  EXPECT_EQ(Token(agent, Assertion(agent, KeyB())).status, 200);
}

TEST_F(SimDevOpsAgentOAuth, DeletedAgentsTokenStopsWorking) {
  const std::string admin = ImdsToken();
  nlohmann::json agent = RegisterAgent(admin, "gone", KeyA());
  Answer token = Token(agent, Assertion(agent, KeyA()));
  ASSERT_EQ(token.status, 200);
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("DELETE", path, admin).status, 204);
  EXPECT_EQ(Api("GET", "/_apis/connectionData", token.Json()["access_token"]).status, 401);
  EXPECT_EQ(Token(agent, Assertion(agent, KeyA())).status, 400);
}

}  // namespace
}  // namespace agentboot::simdevops_test

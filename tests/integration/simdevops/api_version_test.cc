// The simulated service's api-version rule and the answers agentboot must not depend on
// (agent-audit D4, D6): preview-only resources refuse a released version, GET answers can leave
// out the agent's key, and an agent's job requests list finished ones only when asked.
#include "listener_files.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsApiVersion = ListenerFixture;

Headers Bearer(const std::string& token, const std::string& version) {
  return {{"Accept", "application/json; api-version=" + version},
          {"Authorization", "Bearer " + token},
          {"X-TFS-FedAuthRedirect", "Suppress"}};
}

TEST_F(SimDevOpsApiVersion, PreviewOnlyResourcesRefuseAReleasedVersion) {
  const std::string token = ImdsToken();
  const std::string packages = Org() + "/_apis/distributedtask/packages/agent/linux-x64";
  const Answer released = Send("GET", packages, Bearer(token, "7.1"));
  EXPECT_EQ(released.status, 400);
  EXPECT_EQ(released.Json()["typeKey"], "VssInvalidPreviewVersionException");
  EXPECT_EQ(Send("GET", packages, Bearer(token, "7.1-preview")).status, 200);
  EXPECT_EQ(Send("GET", packages + "?api-version=7.1-preview.1", Bearer(token, "")).status, 200);
  EXPECT_EQ(Send("GET", Org() + "/_apis/distributedtask/pools/1/jobrequests?agentId=1",
                 Bearer(token, "7.1"))
                .status,
            400);
  // Pools and agents are released at 7.1.
  EXPECT_EQ(Send("GET", Org() + "/_apis/distributedtask/pools", Bearer(token, "7.1")).status, 200);
}

TEST_F(SimDevOpsApiVersion, GetAnswersCanOmitTheAgentsKey) {
  nlohmann::json agent = PrepareAgent("keyless");
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  EXPECT_TRUE(Api("GET", path, admin_).Json()["authorization"].contains("publicKey"));
  ASSERT_EQ(
      Control("POST", "/_control/devops/settings", {{"omit_agent_authorization", true}}).status,
      200);
  const nlohmann::json authorization = Api("GET", path, admin_).Json()["authorization"];
  EXPECT_FALSE(authorization.contains("publicKey"));
  EXPECT_FALSE(authorization.contains("authorizationUrl"));
  EXPECT_TRUE(authorization.contains("clientId"));
}

TEST_F(SimDevOpsApiVersion, FinishedJobRequestsAreListedOnlyWhenAsked) {
  nlohmann::json agent = PrepareAgent("worker");
  auto listener = ListenerProcess::Start(RootOf("worker"), {"run", "--once"});
  const int64_t request = QueueJob({{"pool", 1}, {"duration_ms", 200}})["request_id"];
  EXPECT_EQ(listener->Wait(), std::optional<int>(0)) << listener->Stderr();
  const std::string list = "/_apis/distributedtask/pools/1/jobrequests?agentId=" +
                           std::to_string(agent["id"].get<int64_t>());
  EXPECT_EQ(Api("GET", list, admin_).Json()["count"], 0) << Api("GET", list, admin_).body;
  const nlohmann::json asked = Api("GET", list + "&completedRequestCount=1", admin_).Json();
  ASSERT_EQ(asked["count"], 1);
  EXPECT_EQ(asked["value"][0]["requestId"], request);
  const nlohmann::json last =
      Api("GET",
          "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>()) +
              "?includeLastCompletedRequest=true",
          admin_)
          .Json();
  EXPECT_EQ(last["lastCompletedRequest"]["result"], "succeeded");
}

}  // namespace
}  // namespace agentboot::simdevops_test

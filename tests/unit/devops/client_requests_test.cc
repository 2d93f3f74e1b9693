// The exact requests the client sends (agent-contract §0, §1 steps 6–9, §6).
#include <nlohmann/json.hpp>

#include "client_fixture.h"

namespace agentboot::devops::testing {
namespace {

using nlohmann::json;

TEST_F(ClientTest, ConnectionDataSendsBearerAndServiceHeaders) {
  transport_.Json(
      200, R"({"authenticatedUser":{"id":"u-1","descriptor":"aad.X",)"
           R"("providerDisplayName":"my-mi"},"instanceId":"i-1","deploymentType":"hosted"})");
  const auto data = client().GetConnectionData();
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  EXPECT_EQ(data->user_id, "u-1");
  EXPECT_EQ(data->user_descriptor, "aad.X");
  EXPECT_EQ(data->user_display_name, "my-mi");
  EXPECT_EQ(data->instance_id, "i-1");
  EXPECT_EQ(data->deployment_type, "hosted");

  const http::Request sent = Sent(0);
  EXPECT_EQ(sent.method, "GET");
  EXPECT_EQ(sent.url, "https://dev.azure.com/org/_apis/connectionData");
  EXPECT_EQ(sent.Header("Authorization"), "Bearer token-1");
  EXPECT_EQ(sent.Header("Accept"), "application/json; api-version=7.1");
  EXPECT_EQ(sent.Header("X-TFS-FedAuthRedirect"), "Suppress");
  EXPECT_EQ(sent.Header("User-Agent"), "agentboot/1.2.3");
  EXPECT_EQ(sent.Header("Content-Type"), std::nullopt);
  EXPECT_EQ(tokens_.last_resource(), identity::kAzureDevOpsResource);
  // One X-TFS-Session GUID per process, the same on every call.
  const std::optional<std::string> session = sent.Header("X-TFS-Session");
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->size(), 36u);
  EXPECT_EQ((*session)[14], '4');
  transport_.Json(
      200, R"({"authenticatedUser":{"id":"u-1","descriptor":"aad.X",)"
           R"("providerDisplayName":"my-mi"},"instanceId":"i-1","deploymentType":"hosted"})");
  ASSERT_TRUE(client().GetConnectionData().has_value());
  EXPECT_EQ(Sent(1).Header("X-TFS-Session"), session);
}

TEST_F(ClientTest, PatIsSentAsBasicWithEmptyUser) {
  tokens_.SetPat(true);
  transport_.Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  // base64(":token-1")
  EXPECT_EQ(Sent(0).Header("Authorization"), "Basic OnRva2VuLTE=");
}

TEST_F(ClientTest, ListPoolsFiltersByNameAndAutomationType) {
  transport_.Json(200, Collection(R"({"id":7,"name":"Linux Pool","isHosted":false})", 1));
  const auto pools = client().ListPools("Linux Pool");
  ASSERT_TRUE(pools.has_value()) << pools.error().ToString();
  ASSERT_EQ(pools->size(), 1U);
  EXPECT_EQ(pools->front().id, 7);
  EXPECT_EQ(pools->front().name, "Linux Pool");
  EXPECT_EQ(Sent(0).url,
            "https://dev.azure.com/org/_apis/distributedtask/pools?poolName=Linux%20Pool"
            "&poolType=Automation");
}

TEST_F(ClientTest, FindAgentQueriesByNameWithoutCapabilities) {
  transport_.Json(200, Collection(AgentJson(12, "host-1"), 1));
  const auto agent = client().FindAgent(7, "host-1");
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  ASSERT_TRUE(agent->has_value());
  EXPECT_EQ((*agent)->id, 12);
  EXPECT_EQ((*agent)->authorization.client_id, "c-1");
  EXPECT_EQ(Sent(0).url,
            "https://dev.azure.com/org/_apis/distributedtask/pools/7/agents?agentName=host-1"
            "&includeCapabilities=False");
}

TEST_F(ClientTest, FindAgentReturnsNulloptWhenAbsent) {
  transport_.Json(200, Collection("", 0));
  const auto agent = client().FindAgent(7, "host-1");
  ASSERT_TRUE(agent.has_value());
  EXPECT_FALSE(agent->has_value());
}

TEST_F(ClientTest, AddAgentPostsTaskAgentBody) {
  transport_.Json(200, AgentJson(12, "host-1"));
  Agent agent;
  agent.name = "host-1";
  agent.version = "4.260.0";
  agent.os_description = "Linux";
  agent.authorization.public_key = {"AQAB", "bW9k"};
  agent.system_capabilities = {{"Agent.Name", "host-1"}};
  const auto added = client().AddAgent(7, agent);
  ASSERT_TRUE(added.has_value()) << added.error().ToString();
  EXPECT_EQ(added->id, 12);

  const http::Request sent = Sent(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://dev.azure.com/org/_apis/distributedtask/pools/7/agents");
  EXPECT_EQ(sent.Header("Content-Type"), "application/json; charset=utf-8");
  const json body = json::parse(sent.body);
  EXPECT_EQ(body["name"], "host-1");
  EXPECT_EQ(body["version"], "4.260.0");
  EXPECT_EQ(body["maxParallelism"], 1);
  EXPECT_EQ(body["provisioningState"], "Provisioned");
  EXPECT_EQ(body["authorization"]["publicKey"]["exponent"], "AQAB");
  EXPECT_EQ(body["authorization"]["publicKey"]["modulus"], "bW9k");
  EXPECT_FALSE(body["authorization"].contains("clientId"));
  EXPECT_EQ(body["systemCapabilities"]["Agent.Name"], "host-1");
  EXPECT_FALSE(body.contains("id"));
}

TEST_F(ClientTest, ReplaceEnableAndDeleteUseAgentRoute) {
  transport_.Json(200, AgentJson(12, "host-1")).Json(200, AgentJson(12, "host-1"));
  transport_.Respond(http::Response{204, {}, ""});
  Agent agent;
  agent.id = 12;
  agent.name = "host-1";
  ASSERT_TRUE(client().ReplaceAgent(7, agent).has_value());
  ASSERT_TRUE(client().SetAgentEnabled(7, 12, false).has_value());
  ASSERT_TRUE(client().DeleteAgent(7, 12).has_value());

  const std::string route = "https://dev.azure.com/org/_apis/distributedtask/pools/7/agents/12";
  EXPECT_EQ(Sent(0).method, "PUT");
  EXPECT_EQ(Sent(0).url, route);
  EXPECT_EQ(json::parse(Sent(0).body)["id"], 12);
  EXPECT_EQ(Sent(1).method, "PATCH");
  EXPECT_EQ(Sent(1).url, route);
  EXPECT_EQ(json::parse(Sent(1).body), json::parse(R"({"id":12,"enabled":false})"));
  EXPECT_EQ(Sent(2).method, "DELETE");
  EXPECT_EQ(Sent(2).url, route);
}

TEST_F(ClientTest, ReplaceAgentWithoutIdSendsNothing) {
  const auto replaced = client().ReplaceAgent(7, Agent{});
  ASSERT_FALSE(replaced.has_value());
  EXPECT_EQ(replaced.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(ClientTest, ListPackagesNewestOrExactVersion) {
  const std::string package =
      R"({"type":"agent","platform":"linux-x64","version":{"major":4,"minor":260,"patch":0},)"
      R"("downloadUrl":"https://dl/agent.tar.gz","hashValue":"AB-CD","filename":"agent.tar.gz"})";
  transport_.Json(200, Collection(package, 1)).Json(200, package);
  const auto newest = client().ListPackages("linux-x64");
  ASSERT_TRUE(newest.has_value()) << newest.error().ToString();
  ASSERT_EQ(newest->size(), 1U);
  EXPECT_EQ(newest->front().version, "4.260.0");
  EXPECT_EQ(newest->front().download_url, "https://dl/agent.tar.gz");
  EXPECT_EQ(newest->front().hash_value, "AB-CD");
  EXPECT_EQ(Sent(0).url,
            "https://dev.azure.com/org/_apis/distributedtask/packages/agent/linux-x64?$top=1");

  PackageQuery query;
  query.version = "4.260.0";
  const auto exact = client().ListPackages("linux-x64", query);
  ASSERT_TRUE(exact.has_value()) << exact.error().ToString();
  EXPECT_EQ(exact->at(0).filename, "agent.tar.gz");
  EXPECT_EQ(Sent(1).url,
            "https://dev.azure.com/org/_apis/distributedtask/packages/agent/linux-x64/4.260.0");
}

TEST_F(ClientTest, ListJobRequestsForOneAgent) {
  transport_.Json(200, Collection(R"({"requestId":5,"assignTime":"2026-01-01T00:00:00Z",)"
                                  R"("reservedAgent":{"id":12}})",
                                  1));
  const auto requests = client().ListJobRequests(7, 12);
  ASSERT_TRUE(requests.has_value()) << requests.error().ToString();
  ASSERT_EQ(requests->size(), 1U);
  EXPECT_EQ(requests->front().request_id, 5);
  EXPECT_EQ(requests->front().agent_id, 12);
  EXPECT_TRUE(requests->front().Running());
  EXPECT_EQ(Sent(0).url,
            "https://dev.azure.com/org/_apis/distributedtask/pools/7/jobrequests?agentId=12"
            "&completedRequestCount=1");
  // No released version exists for job requests: a preview one is asked for (agent-audit D6).
  EXPECT_EQ(Sent(0).Header("Accept"), "application/json; api-version=7.1-preview");
}

TEST_F(ClientTest, PackagesAreAPreviewResource) {
  transport_.Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPackages("linux-x64").has_value());
  EXPECT_EQ(Sent(0).Header("Accept"), "application/json; api-version=7.1-preview");
}

TEST_F(ClientTest, GetAgentCanAskForTheLastCompletedRequest) {
  transport_.Json(200, R"({"id":12,"name":"a","lastCompletedRequest":{"requestId":9,)"
                       R"("result":"failed","finishTime":"2026-01-01T00:00:00Z"}})");
  devops::AgentQuery query;
  query.last_completed_request = true;
  const auto agent = client().GetAgent(7, 12, query);
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  ASSERT_TRUE(agent->last_completed_request.has_value());
  EXPECT_EQ(agent->last_completed_request->result, "failed");
  EXPECT_EQ(
      Sent(0).url,
      "https://dev.azure.com/org/_apis/distributedtask/pools/7/agents/12"
      "?includeCapabilities=true&includeAssignedRequest=true&includeLastCompletedRequest=true");
  EXPECT_EQ(Sent(0).Header("Accept"), "application/json; api-version=7.1");
}

TEST_F(ClientTest, FetchesATokenForEveryCall) {
  tokens_.NumberTokens();
  transport_.Json(200, Collection("", 0)).Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  ASSERT_TRUE(client().ListPools().has_value());
  EXPECT_EQ(tokens_.calls(), 2);
  EXPECT_EQ(Sent(0).Header("Authorization"), "Bearer token-1-1");
  EXPECT_EQ(Sent(1).Header("Authorization"), "Bearer token-1-2");
}

TEST_F(ClientTest, TokenErrorIsReturnedWithoutSending) {
  tokens_.FailNext(MakeError(ErrorCode::kUnauthenticated, "imds", "AADSTS700016",
                             "assign the identity to the VM"));
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(pools.error().advice, "assign the identity to the VM");
  EXPECT_EQ(transport_.request_count(), 0U);
}

// The client knows a failure was the token's: it says so in the error's origin, which picks the
// identity's exit codes; Azure DevOps' own refusal keeps no origin.
TEST_F(ClientTest, ATokenFailureIsTheIdentitysAndAServerRefusalIsNot) {
  tokens_.FailNext(MakeError(ErrorCode::kUnauthenticated, "no-prefix", "AADSTS700016"));
  const auto token_failed = client().ListPools();
  ASSERT_FALSE(token_failed.has_value());
  EXPECT_EQ(token_failed.error().origin, ErrorOrigin::kIdentity);
  transport_.Respond(http::Response{401, {}, ""});
  const auto refused = client().ListPools();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(refused.error().origin, ErrorOrigin::kUnspecified);
}

}  // namespace
}  // namespace agentboot::devops::testing

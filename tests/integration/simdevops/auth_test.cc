// Authentication, membership, pool roles and throttling as the service answers them
// (agent-contract §8, identity-contract §6.2-6.5).
#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsAuth = SimFixture;

TEST_F(SimDevOpsAuth, MissingCredentialsGiveTheSignInPageWithoutSuppress) {
  Answer page = Send("GET", Org() + "/_apis/connectionData", {{"Accept", "application/json"}});
  EXPECT_EQ(page.status, 203);
  EXPECT_NE(page.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("Sign In"), std::string::npos);
}

TEST_F(SimDevOpsAuth, MissingCredentialsGiveA401BearerChallengeWithSuppress) {
  Answer challenge = Api("GET", "/_apis/connectionData", "");
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(challenge.Header("WWW-Authenticate"),
            "Bearer authorization_uri=https://login.microsoftonline.com/"
            "72f988bf-0000-4000-8000-000000000001");
  EXPECT_NE(challenge.Header("X-TFS-ServiceError").find("TF400813"), std::string::npos);
  EXPECT_EQ(Api("GET", "/_apis/connectionData", "not-a-valid-token").status, 401);
}

TEST_F(SimDevOpsAuth, TokenForAnotherAudienceIsRefused) {
  Answer answer = Send("GET",
                       Base() +
                           "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https:/"
                           "/management.azure.com/",
                       {{"Metadata", "true"}});
  EXPECT_EQ(Api("GET", "/_apis/connectionData", answer.Json()["access_token"]).status, 401);
}

TEST_F(SimDevOpsAuth, BasicWithTokenOrConfiguredPatIsAccepted) {
  const std::string token = ImdsToken();
  Headers basic = {{"Authorization", "Basic " + jose::Base64Encode("VstsAgent:" + token)},
                   {"X-TFS-FedAuthRedirect", "Suppress"}};
  EXPECT_EQ(Send("GET", Org() + "/_apis/distributedtask/pools", basic).status, 200);
  ASSERT_EQ(
      Control("POST", "/_control/devops/pats", {{"pat", "my-pat-value"}, {"oid", OidOf("system")}})
          .status,
      200);
  Headers pat = {{"Authorization", "Basic " + jose::Base64Encode(":my-pat-value")}};
  Answer data = Send("GET", Org() + "/_apis/connectionData", pat);
  ASSERT_EQ(data.status, 200);
  EXPECT_EQ(data.Json()["authenticatedUser"]["id"], OidOf("system"));
  Headers wrong = {{"Authorization", "Basic " + jose::Base64Encode(":other")}};
  EXPECT_EQ(Send("GET", Org() + "/_apis/connectionData", wrong).status, 203);
}

TEST_F(SimDevOpsAuth, NonMemberGetsTF401444) {
  const std::string token = ImdsToken();
  ASSERT_EQ(
      Control("POST", "/_control/devops/members", {{"oid", OidOf("system")}, {"member", false}})
          .status,
      200);
  Answer refused = Api("GET", "/_apis/connectionData", token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.Json()["message"].get<std::string>().find("TF401444: Sign-in at least once as"),
            std::string::npos);
}

TEST_F(SimDevOpsAuth, NonAdminCanReadButNotRegister) {
  std::string user_client;
  const nlohmann::json identities = Control("GET", "/_control/identities").Json()["identities"];
  for (const auto& identity : identities) {
    if (identity["kind"] == "user") user_client = identity["client_id"];
  }
  const std::string token = ImdsToken(user_client);
  ASSERT_EQ(Control("POST", "/_control/devops/pool-admins",
                    {{"pool", "Default"}, {"oid", OidOf("user")}, {"admin", false}})
                .status,
            200);
  EXPECT_EQ(Api("GET", "/_apis/distributedtask/pools/1/agents", token).status, 200);
  Answer denied = Api("POST", "/_apis/distributedtask/pools/1/agents", token,
                      {{"name", "x"}, {"authorization", {{"publicKey", PublicKeyJson(KeyA())}}}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Json()["typeKey"], "AccessDeniedException");
  EXPECT_EQ(denied.Json()["typeName"],
            "Microsoft.TeamFoundation.DistributedTask.WebApi.AccessDeniedException, "
            "Microsoft.TeamFoundation.DistributedTask.WebApi");
  EXPECT_TRUE(denied.Header("WWW-Authenticate").empty());
  // Still an administrator of the other self-hosted pool.
  EXPECT_EQ(Api("POST", "/_apis/distributedtask/pools/3/agents", token,
                {{"name", "x"}, {"authorization", {{"publicKey", PublicKeyJson(KeyA())}}}})
                .status,
            200);
}

TEST_F(SimDevOpsAuth, ThrottledIdentityGets429WithRetryAfter) {
  const std::string token = ImdsToken();
  ASSERT_EQ(Control("POST", "/_control/devops/throttle", {{"requests_per_minute", 2}}).status, 200);
  Answer first = Api("GET", "/_apis/distributedtask/pools", token);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("X-RateLimit-Limit"), "2");
  EXPECT_EQ(Api("GET", "/_apis/distributedtask/pools", token).status, 200);
  Answer throttled = Api("GET", "/_apis/distributedtask/pools", token);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_FALSE(throttled.Header("Retry-After").empty());
  EXPECT_EQ(throttled.Header("X-RateLimit-Remaining"), "0");
  EXPECT_FALSE(throttled.Header("X-RateLimit-Reset").empty());
  EXPECT_NE(throttled.body.find("TF400733"), std::string::npos);
  ASSERT_EQ(Control("POST", "/_control/devops/throttle", {{"requests_per_minute", 0}}).status, 200);
  EXPECT_EQ(Api("GET", "/_apis/distributedtask/pools", token).status, 200);
}

}  // namespace
}  // namespace agentboot::simdevops_test

// Azure DevOps answers turned into error values (agent-contract §0.6–0.7, §8).
#include "client_fixture.h"

namespace agentboot::devops::testing {
namespace {

http::Response Html(int status) {
  return http::Response{status,
                        {{"Content-Type", "text/html; charset=utf-8"}},
                        "<html><title>Sign In</title></html>"};
}

std::string Wrapped(const std::string& message, const std::string& type_key) {
  return R"({"$id":"1","innerException":null,"message":")" + message +
         R"(","typeName":"Microsoft.TeamFoundation.DistributedTask.WebApi.)" + type_key +
         R"(, Microsoft.TeamFoundation.DistributedTask.WebApi","typeKey":")" + type_key +
         R"(","errorCode":0,"eventId":3000})";
}

TEST_F(ClientTest, Status203SignInPageIsUnauthenticatedWithLicenceAdvice) {
  transport_.Respond(Html(203));
  const auto data = client().GetConnectionData();
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(data.error().http_status, 203);
  EXPECT_NE(data.error().detail.find("sign-in page"), std::string::npos);
  EXPECT_NE(data.error().advice.find("Basic licence"), std::string::npos);
  EXPECT_EQ(transport_.request_count(), 1U);  // not retried
}

TEST_F(ClientTest, Status200HtmlIsAlsoASignInPage) {
  transport_.Respond(Html(200));
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ClientTest, Status401CarriesServiceErrorHeader) {
  transport_.Respond(http::Response{
      401,
      {{"X-TFS-ServiceError", "TF400813%3a+The+user+%27%27+is+not+authorized"},
       {"WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/t"}},
      ""});
  const auto data = client().GetConnectionData();
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(data.error().detail.find("TF400813: The user '' is not authorized"), std::string::npos);
  EXPECT_NE(data.error().advice.find("Basic licence"), std::string::npos);
}

TEST_F(ClientTest, Status403IsPermissionDeniedWithPoolAdminAdvice) {
  transport_.Json(403, Wrapped("Access denied", "AccessDeniedException"));
  const auto added = client().AddAgent(7, Agent{});
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(added.error().advice,
            "Give the identity the Administrator role on the agent pool (Agent pools > Security), "
            "then try again.");
}

TEST_F(ClientTest, ServiceErrorHeaderRepeatingTheMessageIsSaidOnce) {
  transport_.Respond(http::Response{
      401,
      {{"Content-Type", "application/json"},
       {"X-TFS-ServiceError", "TF401444%3a+Sign-in+at+least+once+as+oid+in+a+web+browser"}},
      Wrapped("TF401444: Sign-in at least once as oid in a web browser",
              "UnauthorizedRequestException")});
  const auto data = client().GetConnectionData();
  ASSERT_FALSE(data.has_value());
  const std::string& detail = data.error().detail;
  const size_t first = detail.find("TF401444");
  ASSERT_NE(first, std::string::npos) << detail;
  EXPECT_EQ(detail.find("TF401444", first + 1), std::string::npos) << detail;
  EXPECT_EQ(data.error().advice.rfind("Add the identity to the organization", 0), 0U);
}

TEST_F(ClientTest, DeletingAnAgentThatRunsAJobIsAConflictWithDrainAdvice) {
  transport_.Json(400, Wrapped("Agent a is running a job for pool 7. Please wait for the job to "
                               "complete.",
                               "TaskAgentJobStillRunningException"));
  const auto deleted = client().DeleteAgent(7, 12);
  ASSERT_FALSE(deleted.has_value());
  EXPECT_EQ(deleted.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(deleted.error().advice.find("agentboot drain"), std::string::npos);
}

TEST_F(ClientTest, AccessDeniedTypeKeyIsPermissionDeniedWhateverTheStatus) {
  transport_.Json(400, Wrapped("needs Manage", "AccessDeniedException"));
  const auto deleted = client().DeleteAgent(7, 12);
  ASSERT_FALSE(deleted.has_value());
  EXPECT_EQ(deleted.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ClientTest, WrappedExceptionMessageAndTypeKeyGoIntoDetail) {
  transport_.Json(400, Wrapped("Agent host-1 is running a job for pool 7", "InvalidOperation"));
  const auto deleted = client().DeleteAgent(7, 12);
  ASSERT_FALSE(deleted.has_value());
  EXPECT_EQ(deleted.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(deleted.error().detail,
            "HTTP 400: Agent host-1 is running a job for pool 7 (InvalidOperation)");
  EXPECT_EQ(deleted.error().context, "DELETE _apis/distributedtask/pools/7/agents/12");
}

TEST_F(ClientTest, UnknownPoolIsNotFound) {
  transport_.Json(200, Collection("", 0));
  const auto pool = client().FindPool("nope");
  ASSERT_FALSE(pool.has_value());
  EXPECT_EQ(pool.error().code, ErrorCode::kNotFound);
  EXPECT_NE(pool.error().detail.find("'nope'"), std::string::npos);
}

TEST_F(ClientTest, PoolNotFoundExceptionIsNotFound) {
  transport_.Json(404, Wrapped("Agent pool 9 not found", "TaskAgentPoolNotFoundException"));
  const auto agent = client().FindAgent(9, "host-1");
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST(FormatVisiblePools, ListsSelfHostedNamesOrSaysNone) {
  // The hosted pool ("Azure Pipelines") takes no self-hosted agent: never offered.
  EXPECT_EQ(FormatVisiblePools({{1, "a", false}, {2, "Azure Pipelines", true}, {3, "b", false}}),
            "self-hosted pools visible to this identity: a, b");
  EXPECT_EQ(FormatVisiblePools({}), "no self-hosted agent pool is visible to this identity");
  EXPECT_EQ(FormatVisiblePools({{2, "Azure Pipelines", true}}),
            "no self-hosted agent pool is visible to this identity");
}

TEST_F(ClientTest, ExistingAgentIsAlreadyExists) {
  transport_.Json(409, Wrapped("Pool 7 already contains an agent with name host-1.",
                               "TaskAgentExistsException"));
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST_F(ClientTest, MissingAgentIsNotFound) {
  transport_.Json(404, Wrapped("Agent 12 not found", "TaskAgentNotFoundException"));
  const auto agent = client().GetAgent(7, 12);
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error().code, ErrorCode::kNotFound);
}

TEST_F(ClientTest, NonJsonErrorBodyStillMapsByStatus) {
  transport_.Respond(http::Response{404, {{"Content-Type", "text/plain"}}, "Not Found"});
  const auto agent = client().GetAgent(7, 12);
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(agent.error().detail, "HTTP 404");
}

TEST_F(ClientTest, MalformedJsonIsInternal) {
  transport_.Json(200, "{not json");
  const auto agent = client().GetAgent(7, 12);
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace agentboot::devops::testing

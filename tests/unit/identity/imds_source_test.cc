#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::QueryValue;
using testing::ScriptedTransport;
using testing::TokenBody;

class ImdsSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<TokenSource> Make(bool probe = false) {
    return MakeImdsSource(options_, Deps{fake_.env, transport_}, probe);
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  IdentityOptions options_;
};

TEST_F(ImdsSourceTest, SendsTheDocumentedRequestAndParsesTheToken) {
  transport_.Json(200, TokenBody("imds-token", fake_.clock.Now(), 86399));
  auto token = Make()->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.Reveal(), "imds-token");
  EXPECT_EQ(token->source, "imds");
  EXPECT_EQ(token->expires_on, fake_.clock.Now() + std::chrono::seconds(86399));
  ASSERT_EQ(transport_.request_count(), 1U);
  const auto request = transport_.requests()[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url,
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
            "&resource=499b84ac-1321-427f-aa17-267ca6975798");
  EXPECT_EQ(request.Header("Metadata"), "true");
  EXPECT_TRUE(request.bypass_proxy);
  EXPECT_TRUE(request.body.empty());
  EXPECT_FALSE(fake_.log.Contains("imds-token"));
}

TEST_F(ImdsSourceTest, HonoursAuthorityHostOverrideAndSelectors) {
  fake_.vars.Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:8080/");
  options_.resource_id = "/subscriptions/s/rg/x";
  transport_.Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  ASSERT_TRUE(Make()->GetToken(TokenRequest{}).has_value());
  const auto url = transport_.requests()[0].url;
  EXPECT_EQ(testing::Path(url), "http://127.0.0.1:8080/metadata/identity/oauth2/token");
  EXPECT_EQ(QueryValue(url, "msi_res_id"), "/subscriptions/s/rg/x");
  EXPECT_EQ(QueryValue(url, "mi_res_id"), "");
}

TEST_F(ImdsSourceTest, ClientIdFromEnvironmentSelectsUserAssigned) {
  fake_.vars.Set("AZURE_CLIENT_ID", "cid");
  transport_.Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  ASSERT_TRUE(Make()->GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(QueryValue(transport_.requests()[0].url, "client_id"), "cid");
}

TEST_F(ImdsSourceTest, IdentityNotFoundForUserAssignedIsUnauthenticated) {
  options_.client_id = "wrong";
  transport_.Json(400, R"({"error":"invalid_request","error_description":"Identity not found"})");
  auto result = Make()->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(result.error().advice.find("assign"), std::string::npos);
  EXPECT_NE(result.error().context.find("identity/imds: GET http://169.254.169.254/metadata"),
            std::string::npos);
  EXPECT_EQ(transport_.request_count(), 1U);  // a 400 is not retried
  EXPECT_TRUE(fake_.clock.sleeps().empty());
}

TEST_F(ImdsSourceTest, IdentityNotFoundForSystemAssignedIsUnavailable) {
  transport_.Json(400, R"({"error":"invalid_request","error_description":"Identity not found"})");
  auto result = Make()->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(result.error().advice.empty());
}

TEST_F(ImdsSourceTest, MissingMetadataHeaderAnswerIsExplained) {
  transport_.Json(
      400,
      R"({"error":"bad_request_102","error_description":"Required metadata header not specified"})");
  auto result = Make()->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().advice.find("proxy"), std::string::npos);
}

TEST_F(ImdsSourceTest, ProbeFailsFastWithShortConnectTimeoutAndNoRetries) {
  options_.imds_probe_timeout = std::chrono::milliseconds(700);
  transport_.FailWith(ErrorCode::kDeadlineExceeded, "connect timeout");
  auto result = Make(/*probe=*/true)->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  ASSERT_EQ(transport_.request_count(), 1U);
  EXPECT_EQ(transport_.requests()[0].connect_timeout, std::chrono::milliseconds(700));
  EXPECT_TRUE(fake_.clock.sleeps().empty());
}

TEST_F(ImdsSourceTest, AfterAnyAnswerTheProbeEndsAndRetriesApply) {
  auto source = Make(/*probe=*/true);
  transport_.Json(500, "{}").Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  ASSERT_TRUE(source->GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(transport_.request_count(), 2U);
  // The next call is no longer a probe: a timeout is retried with the normal connect timeout.
  transport_.FailWith(ErrorCode::kDeadlineExceeded)
      .Json(200, TokenBody("u", fake_.clock.Now(), 3600));
  auto second = source->GetToken(TokenRequest{});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->token.Reveal(), "u");
  EXPECT_NE(transport_.requests()[2].connect_timeout, options_.imds_probe_timeout);
}

TEST_F(ImdsSourceTest, NonJsonAnswerToProbeIsUnavailable) {
  http::Response response;
  response.status = 403;
  response.headers = {{"Content-Type", "text/html"}};
  response.body = "<html>router login</html>";
  transport_.Respond(response);
  auto result = Make(/*probe=*/true)->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("169.254.169.254"), std::string::npos);
}

TEST_F(ImdsSourceTest, AdviceNamesTheOverriddenEndpoint) {
  fake_.vars.Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:8080");
  http::Response response;
  response.status = 403;
  response.headers = {{"Content-Type", "text/html"}};
  response.body = "<html>router login</html>";
  transport_.Respond(response);
  auto result = Make(/*probe=*/true)->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().advice.find("http://127.0.0.1:8080"), std::string::npos)
      << result.error().advice;
  EXPECT_EQ(result.error().advice.find("169.254.169.254"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::identity

// App Service (2019 and 2017) and Cloud Shell sources.
#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::QueryValue;
using testing::ScriptedTransport;

constexpr char kBody[] =
    R"({"access_token":"as-token","expires_on":"1800003600","resource":"r","token_type":"Bearer","client_id":"c"})";

class AppServiceTest : public ::testing::Test {
 protected:
  Result<AccessToken> Get() {
    return MakeAppServiceSource(options_, Deps{fake_.env, transport_})->GetToken(TokenRequest{});
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  IdentityOptions options_;
};

TEST_F(AppServiceTest, Uses2019FormWithIdentityHeader) {
  fake_.vars.Set("IDENTITY_ENDPOINT", "http://localhost:4141/MSI/token");
  fake_.vars.Set("IDENTITY_HEADER", "hdr-secret");
  options_.object_id = "oid";
  transport_.Json(200, kBody);
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.Reveal(), "as-token");
  EXPECT_EQ(token->expires_on, FromUnixSeconds(1'800'003'600));
  EXPECT_EQ(token->source, "appservice");
  const auto request = transport_.requests()[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url,
            "http://localhost:4141/MSI/token?resource=499b84ac-1321-427f-aa17-267ca6975798"
            "&api-version=2019-08-01&object_id=oid");
  EXPECT_EQ(request.Header("X-IDENTITY-HEADER"), "hdr-secret");
  EXPECT_TRUE(request.bypass_proxy);
}

TEST_F(AppServiceTest, ResourceIdUsesMiResId) {
  fake_.vars.Set("IDENTITY_ENDPOINT", "http://localhost:4141/MSI/token");
  fake_.vars.Set("IDENTITY_HEADER", "h");
  options_.resource_id = "/subscriptions/x";
  transport_.Json(200, kBody);
  ASSERT_TRUE(Get().has_value());
  EXPECT_EQ(QueryValue(transport_.requests()[0].url, "mi_res_id"), "/subscriptions/x");
}

TEST_F(AppServiceTest, Uses2017FormWithSecretHeaderAndClientid) {
  fake_.vars.Set("MSI_ENDPOINT", "http://127.0.0.1:41601/MSI/token/");
  fake_.vars.Set("MSI_SECRET", "s3");
  options_.client_id = "cid";
  transport_.Json(200, R"({"access_token":"a","expires_on":"11/29/2026 12:00:00 PM +00:00"})");
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->expires_on, FromUnixSeconds(1'795'953'600));
  const auto request = transport_.requests()[0];
  EXPECT_EQ(QueryValue(request.url, "api-version"), "2017-09-01");
  EXPECT_EQ(QueryValue(request.url, "clientid"), "cid");
  EXPECT_EQ(request.Header("secret"), "s3");
}

TEST_F(AppServiceTest, AbsentEnvironmentIsUnavailableNamingTheVariables) {
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("IDENTITY_ENDPOINT"), std::string::npos);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(AppServiceTest, RefusedIsUnauthenticatedWithAdvice) {
  fake_.vars.Set("IDENTITY_ENDPOINT", "http://localhost:4141/MSI/token");
  fake_.vars.Set("IDENTITY_HEADER", "h");
  transport_.Json(401, R"({"error":"unauthorized","error_description":"bad header"})");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(result.error().advice.empty());
  EXPECT_EQ(result.error().context, "identity/appservice: GET http://localhost:4141/MSI/token");
}

TEST_F(AppServiceTest, ServerErrorIsRetried) {
  fake_.vars.Set("IDENTITY_ENDPOINT", "http://localhost:4141/MSI/token");
  fake_.vars.Set("IDENTITY_HEADER", "h");
  transport_.Json(503, "{}").Json(200, kBody);
  EXPECT_TRUE(Get().has_value());
  EXPECT_EQ(fake_.clock.sleeps().size(), 1U);
}

TEST(CloudShellSource, PostsTheResourceAsAForm) {
  FakeEnv fake;
  ScriptedTransport transport;
  fake.vars.Set("MSI_ENDPOINT", "http://localhost:50342/oauth2/token");
  transport.Json(200, R"({"access_token":"cs","expires_in":"3600","token_type":"Bearer"})");
  auto token = MakeCloudShellSource({}, Deps{fake.env, transport})->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->source, "cloudshell");
  const auto request = transport.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://localhost:50342/oauth2/token");
  EXPECT_EQ(request.Header("Metadata"), "true");
  EXPECT_EQ(request.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "resource=499b84ac-1321-427f-aa17-267ca6975798");
}

TEST(CloudShellSource, NestedErrorIsReported) {
  FakeEnv fake;
  ScriptedTransport transport;
  fake.vars.Set("MSI_ENDPOINT", "http://localhost:50342/oauth2/token");
  transport.Json(400, R"({"error":{"code":"BadRequest","message":"no such resource"}})");
  auto result = MakeCloudShellSource({}, Deps{fake.env, transport})->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().detail.find("BadRequest: no such resource"), std::string::npos);
}

TEST(CloudShellSource, AbsentEnvironmentIsUnavailable) {
  FakeEnv fake;
  ScriptedTransport transport;
  auto result = MakeCloudShellSource({}, Deps{fake.env, transport})->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("MSI_ENDPOINT"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::identity

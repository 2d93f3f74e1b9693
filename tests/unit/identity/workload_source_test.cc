#include <gtest/gtest.h>

#include "aadsts_advice.h"
#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::ScriptedTransport;

constexpr char kTokenFile[] = "/var/run/secrets/azure/wi/token/azure-identity-token";

class WorkloadSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.vars.Set("AZURE_CLIENT_ID", "client-1");
    fake_.vars.Set("AZURE_TENANT_ID", "tenant-1");
    fake_.vars.Set("AZURE_FEDERATED_TOKEN_FILE", kTokenFile);
    fake_.vars.Set("AZURE_AUTHORITY_HOST", "https://login.example/");
    fake_.fs.Put(kTokenFile, "assertion-1\n");
    source_ = MakeWorkloadSource({}, Deps{fake_.env, transport_});
  }
  std::string Field(size_t request, const std::string& key) const {
    for (const auto& [name, value] : http::ParseForm(transport_.requests()[request].body)) {
      if (name == key) return value;
    }
    return "<absent>";
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  std::unique_ptr<TokenSource> source_;
};

TEST_F(WorkloadSourceTest, ExchangesTheAssertionAtEntra) {
  transport_.Json(200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"wi-token"})");
  auto token = source_->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.Reveal(), "wi-token");
  EXPECT_EQ(token->expires_on, fake_.clock.Now() + std::chrono::seconds(3599));
  const auto request = transport_.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://login.example/tenant-1/oauth2/v2.0/token");
  EXPECT_EQ(request.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_FALSE(request.bypass_proxy);
  EXPECT_EQ(
      request.body,
      "grant_type=client_credentials"
      "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
      "&client_id=client-1&scope=499b84ac-1321-427f-aa17-267ca6975798%2F.default"
      "&client_assertion=assertion-1");
}

TEST_F(WorkloadSourceTest, RereadsTheTokenFileForEveryExchange) {
  transport_.Json(200, R"({"expires_in":3599,"access_token":"a"})")
      .Json(200, R"({"expires_in":3599,"access_token":"b"})");
  ASSERT_TRUE(source_->GetToken(TokenRequest{}).has_value());
  fake_.fs.Put(kTokenFile, "assertion-2");  // the kubelet rotated it
  ASSERT_TRUE(source_->GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(Field(0, "client_assertion"), "assertion-1");
  EXPECT_EQ(Field(1, "client_assertion"), "assertion-2");
  EXPECT_EQ(fake_.fs.reads_of(kTokenFile), 2);
}

TEST_F(WorkloadSourceTest, WhitespaceInAVariableIsRefusedNamingIt) {
  for (const std::string variable :
       {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST"}) {
    FakeEnv fake;
    fake.vars.Set("AZURE_CLIENT_ID", "c");
    fake.vars.Set("AZURE_TENANT_ID", "t");
    fake.vars.Set("AZURE_FEDERATED_TOKEN_FILE", kTokenFile);
    fake.vars.Set("AZURE_AUTHORITY_HOST", "https://login.example/");
    fake.vars.Set(variable, *fake.vars.Get(variable) + " ");
    auto result = MakeWorkloadSource({}, Deps{fake.env, transport_})->GetToken(TokenRequest{});
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(result.error().ToString().find(variable), std::string::npos) << variable;
  }
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(WorkloadSourceTest, RefusesPlainHttpAuthorityAndBadTenant) {
  fake_.vars.Set("AZURE_AUTHORITY_HOST", "http://login.example/");
  EXPECT_EQ(source_->GetToken(TokenRequest{}).error().code, ErrorCode::kInvalidArgument);
  fake_.vars.Set("AZURE_AUTHORITY_HOST", "https://login.example");
  fake_.vars.Set("AZURE_TENANT_ID", "tenant/../x");
  EXPECT_EQ(source_->GetToken(TokenRequest{}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(WorkloadSourceTest, MissingVariablesAreUnavailable) {
  fake_.vars.Unset("AZURE_FEDERATED_TOKEN_FILE");
  auto result = source_->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("AZURE_FEDERATED_TOKEN_FILE"), std::string::npos);
}

TEST_F(WorkloadSourceTest, SubjectMismatchGetsPlainAdvice) {
  transport_.Json(
      400,
      R"({"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:a:b'.\r\nTrace ID: x","error_codes":[700213]})");
  auto result = source_->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(result.error().advice.find("system:serviceaccount:<namespace>"), std::string::npos);
  EXPECT_NE(result.error().detail.find("AADSTS700213"), std::string::npos);
  EXPECT_EQ(result.error().detail.find("Trace ID"), std::string::npos);
  EXPECT_EQ(result.error().http_status, 400);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST(AadstsAdvice, KnownCodesHaveDistinctAdvice) {
  for (const int64_t code : {70021, 700211, 700212, 700213, 7002138, 700024, 90061, 700027, 50012,
                             700016, 90002, 500011}) {
    const auto advice = detail::AdviceForEntraError(code, "invalid_client");
    EXPECT_FALSE(advice.advice.empty()) << code;
    EXPECT_NE(advice.advice, detail::AdviceForEntraError(std::nullopt, "").advice) << code;
  }
  EXPECT_NE(detail::AdviceForEntraError(700024, "").advice.find("expired"), std::string::npos);
  EXPECT_NE(detail::AdviceForEntraError(90061, "").advice.find("openid-configuration"),
            std::string::npos);
}

TEST(AadstsAdvice, CodeFromDescriptionWhenNoErrorCodes) {
  EXPECT_EQ(detail::ExtractAadstsCode(R"({"error_description":"AADSTS90002: Tenant not found"})"),
            90002);
  EXPECT_EQ(detail::ExtractAadstsCode("nothing"), std::nullopt);
}

}  // namespace
}  // namespace agentboot::identity

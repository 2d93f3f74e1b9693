#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace agentboot::sim::detail {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const char kIssuer[] = "https://127.0.0.1:8443/oidc/";

std::vector<FederatedCredential> Credentials() {
  return {FederatedCredential{"app",
                              "fic",
                              kIssuer,
                              "system:serviceaccount:agents:agentboot",
                              {"api://AzureADTokenExchange"}}};
}

nlohmann::json Claims() {
  return {{"iss", kIssuer},
          {"sub", "system:serviceaccount:agents:agentboot"},
          {"aud", {"api://AzureADTokenExchange"}},
          {"iat", kNow - 60},
          {"nbf", kNow - 60},
          {"exp", kNow + 3540}};
}

int CodeOf(const nlohmann::json& claims) {
  const auto failure = MatchAssertion(claims, Credentials(), kNow);
  return failure ? failure->code : 0;
}

TEST(MatchAssertion, AcceptsAnExactMatch) { EXPECT_EQ(CodeOf(Claims()), 0); }

TEST(MatchAssertion, AcceptsAStringAudience) {
  auto claims = Claims();
  claims["aud"] = "api://AzureADTokenExchange";
  EXPECT_EQ(CodeOf(claims), 0);
}

TEST(MatchAssertion, IssuerWithoutTrailingSlashIs700211) {
  auto claims = Claims();
  claims["iss"] = "https://127.0.0.1:8443/oidc";
  const auto failure = MatchAssertion(claims, Credentials(), kNow);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, 700211);
  EXPECT_EQ(failure->error, "invalid_request");
  EXPECT_NE(failure->message.find("'https://127.0.0.1:8443/oidc'"), std::string::npos);
}

TEST(MatchAssertion, SubjectIsCaseSensitive700213) {
  auto claims = Claims();
  claims["sub"] = "system:serviceaccount:Agents:agentboot";
  EXPECT_EQ(CodeOf(claims), 700213);
}

TEST(MatchAssertion, WrongAudienceIs700212) {
  auto claims = Claims();
  claims["aud"] = {"https://kubernetes.default.svc"};
  EXPECT_EQ(CodeOf(claims), 700212);
}

TEST(MatchAssertion, ExpiredAssertionIs700024WithTheTimeRangeMessage) {
  auto claims = Claims();
  claims["exp"] = kNow - 1;
  const auto failure = MatchAssertion(claims, Credentials(), kNow);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, 700024);
  EXPECT_EQ(failure->error, "invalid_client");
  EXPECT_EQ(failure->message.rfind("Client assertion is not within its valid time range.", 0), 0u);
}

TEST(MatchAssertion, NotYetValidBeyondSkewIs700024) {
  auto claims = Claims();
  claims["nbf"] = kNow + 3600;
  EXPECT_EQ(CodeOf(claims), 700024);
}

TEST(MatchAssertion, NoCredentialsAtAllIs70021) {
  EXPECT_EQ(MatchAssertion(Claims(), {}, kNow)->code, 70021);
}

TEST(MatchAssertion, AnyOfSeveralCredentialsMayMatch) {
  auto credentials = Credentials();
  credentials.insert(
      credentials.begin(),
      FederatedCredential{
          "app", "other", kIssuer, "system:serviceaccount:x:y", {"api://AzureADTokenExchange"}});
  EXPECT_FALSE(MatchAssertion(Claims(), credentials, kNow));
}

}  // namespace
}  // namespace agentboot::sim::detail

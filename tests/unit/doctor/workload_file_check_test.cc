// CheckWorkloadTokenFile: each pitfall of a federated token file is named.
#include <gtest/gtest.h>

#include "agentboot/doctor.h"
#include "agentboot/jose.h"

namespace agentboot::doctor {
namespace {

const TimePoint kNow = FromUnixSeconds(1'800'000'000);

std::string Token(const nlohmann::json& claims) {
  return jose::Base64UrlEncode(std::string(R"({"alg":"RS256","typ":"JWT"})")) + "." +
         jose::Base64UrlEncode(claims.dump()) + "." + jose::Base64UrlEncode(std::string("sig"));
}

nlohmann::json Claims() {
  return {{"iss", "https://oidc.example/tenant/issuer/"},
          {"sub", "system:serviceaccount:agents:azp"},
          {"aud", {"api://AzureADTokenExchange"}},
          {"exp", 1'800'003'600}};
}

TEST(CheckWorkloadTokenFile, AGoodTokenPassesAndNamesTheTrailingSlash) {
  const Check check = CheckWorkloadTokenFile(Token(Claims()), kNow);
  EXPECT_EQ(check.outcome, Outcome::kPass) << check.fix;
  EXPECT_NE(check.result.find("ends with '/'"), std::string::npos) << check.result;
  EXPECT_NE(check.result.find("system:serviceaccount:agents:azp"), std::string::npos);
}

TEST(CheckWorkloadTokenFile, AnIssuerWithoutTrailingSlashIsNamedToo) {
  nlohmann::json claims = Claims();
  claims["iss"] = "https://oidc.example/issuer";
  const Check check = CheckWorkloadTokenFile(Token(claims), kNow);
  EXPECT_EQ(check.outcome, Outcome::kPass);
  EXPECT_NE(check.result.find("no trailing '/'"), std::string::npos) << check.result;
}

TEST(CheckWorkloadTokenFile, WhitespaceAroundTheFileIsAWarning) {
  const Check check = CheckWorkloadTokenFile(Token(Claims()) + "\n", kNow);
  EXPECT_EQ(check.outcome, Outcome::kWarn);
  EXPECT_NE(check.fix.find("whitespace"), std::string::npos);
}

TEST(CheckWorkloadTokenFile, WhitespaceInsideAClaimFails) {
  nlohmann::json claims = Claims();
  claims["sub"] = "system:serviceaccount:agents:azp ";
  const Check check = CheckWorkloadTokenFile(Token(claims), kNow);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("whitespace"), std::string::npos) << check.fix;
}

TEST(CheckWorkloadTokenFile, TheWrongAudienceFails) {
  nlohmann::json claims = Claims();
  claims["aud"] = "https://kubernetes.default.svc";
  const Check check = CheckWorkloadTokenFile(Token(claims), kNow);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("api://AzureADTokenExchange"), std::string::npos) << check.fix;
}

TEST(CheckWorkloadTokenFile, AnExpiredTokenFails) {
  nlohmann::json claims = Claims();
  claims["exp"] = 1'799'999'000;
  const Check check = CheckWorkloadTokenFile(Token(claims), kNow);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("expired"), std::string::npos) << check.fix;
}

TEST(CheckWorkloadTokenFile, ASubjectThatIsNotAServiceAccountFails) {
  nlohmann::json claims = Claims();
  claims["sub"] = "repo:org/repo:ref:refs/heads/main";
  const Check check = CheckWorkloadTokenFile(Token(claims), kNow);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("system:serviceaccount"), std::string::npos) << check.fix;
}

TEST(CheckWorkloadTokenFile, GarbageIsNotAJwt) {
  const Check check = CheckWorkloadTokenFile("not a token", kNow);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_EQ(check.result, "not a JWT");
}

}  // namespace
}  // namespace agentboot::doctor

// ExplainIdentitySource and CheckTokenClaims.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/doctor.h"

namespace agentboot::doctor {
namespace {

const TimePoint kNow = FromUnixSeconds(1'800'000'000);

TEST(ExplainIdentitySource, AutoPicksWorkloadFirstAndSaysWhatTheOthersNeed) {
  testing::FakeEnvironment vars{{"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"},
                                {"AZURE_CLIENT_ID", "c"},
                                {"AZURE_TENANT_ID", "t"},
                                {"IDENTITY_ENDPOINT", "http://x"},
                                {"IDENTITY_HEADER", "h"}};
  const Check check = ExplainIdentitySource("auto", vars);
  EXPECT_EQ(check.outcome, Outcome::kPass);
  EXPECT_EQ(check.result.rfind("workload", 0), 0U) << check.result;
  EXPECT_NE(check.result.find("appservice needs IDENTITY_ENDPOINT"), std::string::npos);
  EXPECT_NE(check.result.find("imds needs"), std::string::npos);
}

TEST(ExplainIdentitySource, AutoFallsBackToImdsAndNamesTheClientId) {
  testing::FakeEnvironment vars{{"AZURE_CLIENT_ID", "c"}};
  const Check check = ExplainIdentitySource("auto", vars);
  EXPECT_EQ(check.result.rfind("imds", 0), 0U) << check.result;
  EXPECT_NE(check.result.find("AZURE_CLIENT_ID selects"), std::string::npos) << check.result;
}

TEST(ExplainIdentitySource, AForcedSourceWithoutItsVariablesFails) {
  testing::FakeEnvironment vars{{"AZURE_CLIENT_ID", "c"}};
  const Check check = ExplainIdentitySource("workload", vars);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("AZURE_FEDERATED_TOKEN_FILE"), std::string::npos) << check.fix;
}

nlohmann::json GoodClaims() {
  return {{"oid", "o"},
          {"appid", "a"},
          {"tid", "t"},
          {"aud", "499b84ac-1321-427f-aa17-267ca6975798"},
          {"exp", 1'800'003'600}};
}

TEST(CheckTokenClaims, ShowsTheClaimsOfAGoodToken) {
  const Check check = CheckTokenClaims(GoodClaims(), kNow);
  EXPECT_EQ(check.outcome, Outcome::kPass) << check.fix;
  for (const char* part : {"oid o", "appid a", "tid t", "aud 499b84ac", "expires 2027-"}) {
    EXPECT_NE(check.result.find(part), std::string::npos) << part << ": " << check.result;
  }
}

TEST(CheckTokenClaims, AnotherAudienceFails) {
  nlohmann::json claims = GoodClaims();
  claims["aud"] = "https://management.azure.com/";
  EXPECT_EQ(CheckTokenClaims(claims, kNow).outcome, Outcome::kFail);
}

TEST(CheckTokenClaims, AnExpiredTokenFails) {
  nlohmann::json claims = GoodClaims();
  claims["exp"] = 1'799'999'999;
  EXPECT_EQ(CheckTokenClaims(claims, kNow).outcome, Outcome::kFail);
}

}  // namespace
}  // namespace agentboot::doctor

// CheckConnectionData, CheckClockSkew and CheckRegisteredAgent.
#include <gtest/gtest.h>

#include "agentboot/doctor.h"

namespace agentboot::doctor {
namespace {

const TimePoint kNow = FromUnixSeconds(1'800'000'000);

TEST(CheckConnectionData, TheAnonymousUserMeansNoLicenceOrNotAMember) {
  devops::ConnectionData anonymous;
  anonymous.user_id = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
  anonymous.user_descriptor = "System:PublicAccess;aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
  EXPECT_TRUE(IsAnonymous(anonymous));
  const Check check = CheckConnectionData(anonymous);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.fix.find("Basic"), std::string::npos) << check.fix;
}

TEST(CheckConnectionData, AKnownCallerPasses) {
  devops::ConnectionData known;
  known.user_id = "0f0e";
  known.user_display_name = "vm-identity";
  EXPECT_FALSE(IsAnonymous(known));
  const Check check = CheckConnectionData(known);
  EXPECT_EQ(check.outcome, Outcome::kPass);
  EXPECT_NE(check.result.find("vm-identity"), std::string::npos);
}

TEST(CheckClockSkew, WithinToleranceEitherWayPasses) {
  const auto five = std::chrono::minutes(5);
  EXPECT_EQ(CheckClockSkew(kNow - std::chrono::seconds(299), kNow, five).outcome, Outcome::kPass);
  EXPECT_EQ(CheckClockSkew(kNow + std::chrono::seconds(299), kNow, five).outcome, Outcome::kPass);
}

TEST(CheckClockSkew, BeyondToleranceFailsAndSaysWhichWay) {
  const auto five = std::chrono::minutes(5);
  Check ahead = CheckClockSkew(kNow - std::chrono::minutes(10), kNow, five);
  EXPECT_EQ(ahead.outcome, Outcome::kFail);
  EXPECT_NE(ahead.result.find("600 s ahead"), std::string::npos) << ahead.result;
  Check behind = CheckClockSkew(kNow + std::chrono::minutes(10), kNow, five);
  EXPECT_EQ(behind.outcome, Outcome::kFail);
  EXPECT_NE(behind.result.find("600 s behind"), std::string::npos) << behind.result;
}

TEST(CheckClockSkew, NoDateHeaderIsAWarning) {
  EXPECT_EQ(CheckClockSkew(std::nullopt, kNow, std::chrono::minutes(5)).outcome, Outcome::kWarn);
}

TEST(CheckRegisteredAgent, DisabledFailsOfflineWarnsOnlinePasses) {
  devops::Agent agent;
  agent.name = "a";
  agent.version = "4.260.0";
  agent.status = "online";
  EXPECT_EQ(CheckRegisteredAgent(agent).outcome, Outcome::kPass);
  agent.status = "offline";
  EXPECT_EQ(CheckRegisteredAgent(agent).outcome, Outcome::kWarn);
  agent.enabled = false;
  const Check check = CheckRegisteredAgent(agent);
  EXPECT_EQ(check.outcome, Outcome::kFail);
  EXPECT_NE(check.result.find("disabled"), std::string::npos);
  EXPECT_NE(check.result.find("4.260.0"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::doctor

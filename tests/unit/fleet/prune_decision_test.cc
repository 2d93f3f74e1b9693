// DecidePrune, rule by rule: each condition alone keeps the agent.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

const TimePoint kNow = FromUnixSeconds(1'800'000'000);
const Duration kHour = std::chrono::hours(1);

devops::Agent DeadOwnedAgent() {
  devops::Agent agent;
  agent.id = 7;
  agent.name = "host-7";
  agent.status = "offline";
  agent.system_capabilities = {{"agentboot", "true"}};
  agent.status_changed_on = kNow - std::chrono::hours(2);
  return agent;
}

TEST(DecidePrune, OwnedOfflineIdleAndOldIsDeleted) {
  EXPECT_EQ(DecidePrune(DeadOwnedAgent(), kNow, kHour), Verdict::kDelete);
}

TEST(DecidePrune, TheMarkMayBeAUserCapability) {
  devops::Agent agent = DeadOwnedAgent();
  agent.system_capabilities.clear();
  agent.user_capabilities = {{"agentboot", "true"}};
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kDelete);
}

TEST(DecidePrune, AnAgentWithoutTheMarkIsKept) {
  devops::Agent agent = DeadOwnedAgent();
  agent.system_capabilities = {{"Agent.Name", "host-7"}, {"agentboot.host", "h"}};
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepNotOwned);
}

TEST(DecidePrune, APlaceholderIsKept) {
  devops::Agent agent = DeadOwnedAgent();
  agent.user_capabilities = {{"agentboot.placeholder", "true"}};
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepPlaceholder);
}

TEST(DecidePrune, OnlineOrUnknownStatusIsKept) {
  for (const char* status : {"online", "Online", "", "unknown"}) {
    devops::Agent agent = DeadOwnedAgent();
    agent.status = status;
    EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepOnline) << status;
  }
}

TEST(DecidePrune, AnAssignedJobKeepsAnOfflineAgent) {
  devops::Agent agent = DeadOwnedAgent();
  agent.has_assigned_request = true;
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepBusy);
}

TEST(DecidePrune, TheThresholdItselfIsNotOldEnough) {
  devops::Agent agent = DeadOwnedAgent();
  agent.status_changed_on = kNow - kHour;
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepRecent);
  agent.status_changed_on = kNow - kHour - std::chrono::seconds(1);
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kDelete);
}

TEST(DecidePrune, AStatusChangeInTheFutureIsRecent) {
  devops::Agent agent = DeadOwnedAgent();
  agent.status_changed_on = kNow + std::chrono::hours(5);  // a skewed server clock
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepRecent);
}

TEST(DecidePrune, NoStatusChangeDateIsKept) {
  devops::Agent agent = DeadOwnedAgent();
  agent.status_changed_on.reset();
  EXPECT_EQ(DecidePrune(agent, kNow, kHour), Verdict::kKeepUnknownAge);
}

}  // namespace
}  // namespace agentboot::fleet

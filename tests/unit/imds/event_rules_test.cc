#include <gtest/gtest.h>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

ScheduledEvent EventOfType(std::string type) {
  ScheduledEvent event;
  event.id = "ID";
  event.type = std::move(type);
  return event;
}

ScheduledEvent EventFor(std::vector<std::string> resources) {
  ScheduledEvent event = EventOfType("Terminate");
  event.resources = std::move(resources);
  return event;
}

TEST(AppliesTo, MatchesTheVmNameAmongTheResources) {
  const ScheduledEvent event = EventFor({"WestNO_0", "WestNO_1"});
  EXPECT_TRUE(AppliesTo(event, "WestNO_1"));
  EXPECT_TRUE(AppliesTo(event, "WestNO_0"));
  EXPECT_FALSE(AppliesTo(event, "WestNO_2"));
}

TEST(AppliesTo, IgnoresCase) {
  EXPECT_TRUE(AppliesTo(EventFor({"Build-Agent-07"}), "build-agent-07"));
  EXPECT_TRUE(AppliesTo(EventFor({"build-agent-07"}), "BUILD-AGENT-07"));
}

TEST(AppliesTo, NeedsAnExactNameNotAPrefix) {
  EXPECT_FALSE(AppliesTo(EventFor({"vm-10"}), "vm-1"));
  EXPECT_FALSE(AppliesTo(EventFor({"vm-1"}), "vm-10"));
}

TEST(AppliesTo, NoResourcesOrNoNameMeansNotThisVm) {
  EXPECT_FALSE(AppliesTo(EventFor({}), "vm"));
  EXPECT_FALSE(AppliesTo(EventFor({"vm"}), ""));
  EXPECT_FALSE(AppliesTo(EventFor({""}), ""));
}

TEST(RequiresDrain, TerminateAndPreemptDoInAnyCase) {
  EXPECT_TRUE(RequiresDrain(EventOfType("Terminate")));
  EXPECT_TRUE(RequiresDrain(EventOfType("Preempt")));
  EXPECT_TRUE(RequiresDrain(EventOfType("terminate")));
  EXPECT_TRUE(RequiresDrain(EventOfType("PREEMPT")));
}

TEST(RequiresDrain, MaintenanceAndUnknownTypesDoNot) {
  EXPECT_FALSE(RequiresDrain(EventOfType("Reboot")));
  EXPECT_FALSE(RequiresDrain(EventOfType("Redeploy")));
  EXPECT_FALSE(RequiresDrain(EventOfType("Freeze")));
  EXPECT_FALSE(RequiresDrain(EventOfType("LiveMigrate")));
  EXPECT_FALSE(RequiresDrain(EventOfType("")));
}

}  // namespace
}  // namespace agentboot::imds

// DesiredCapabilities: the user's capabilities follow --capability; agentboot's own stay.
#include <gtest/gtest.h>

#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

TEST(DesiredCapabilities, ReplacesUserKeysAndKeepsAgentbootKeys) {
  const std::map<std::string, std::string> current = {{"Agent.Name", "keda"},
                                                      {"Agent.Version", "4.260.0"},
                                                      {"agentboot", "true"},
                                                      {"agentboot.placeholder", "true"},
                                                      {"agentboot.host", "h1"},
                                                      {"docker", "yes"},
                                                      {"gpu", "old"}};
  const auto desired = DesiredCapabilities(current, {{"gpu", "a100"}, {"java", "21"}});
  const std::map<std::string, std::string> expected = {{"Agent.Name", "keda"},
                                                       {"Agent.Version", "4.260.0"},
                                                       {"agentboot", "true"},
                                                       {"agentboot.placeholder", "true"},
                                                       {"agentboot.host", "h1"},
                                                       {"gpu", "a100"},
                                                       {"java", "21"}};
  EXPECT_EQ(desired, expected);
}

TEST(DesiredCapabilities, TheMarksCannotBeOverriddenOrDropped) {
  const auto desired =
      DesiredCapabilities({}, {{"agentboot.placeholder", "false"}, {"Agent.OS", "Windows"}});
  EXPECT_EQ(desired.at("agentboot.placeholder"), "true");
  EXPECT_EQ(desired.at("agentboot"), "true");
  EXPECT_EQ(desired.count("Agent.OS"), 0U);
}

TEST(DesiredCapabilities, IsStableWhenAlreadyInStep) {
  const auto once = DesiredCapabilities({{"Agent.Name", "k"}}, {{"a", "1"}});
  EXPECT_EQ(DesiredCapabilities(once, {{"a", "1"}}), once);
}

}  // namespace
}  // namespace agentboot::fleet

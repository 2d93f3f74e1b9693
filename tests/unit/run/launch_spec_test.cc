// The listener's launch spec (ListenerLaunchSpec): the scrubbed environment, never a token.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "run_launch.h"

namespace agentboot::cli {
namespace {

constexpr std::string_view kToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret";

std::map<std::string, std::string> ParentEnvironment() {
  const std::string token(kToken);
  return {{"PATH", "/usr/bin:/bin"},
          {"LANG", "C.UTF-8"},
          {"AZP_URL", "https://dev.azure.com/org"},
          {"AZP_TOKEN", token},
          {"AGENTBOOT_IDENTITY", "imds"},
          {"SYSTEM_ACCESSTOKEN", token},
          {"VSTS_AGENT_HTTPTRACE", "true"},
          {"AGENT_TOKEN_FILE", token},
          {"IDENTITY_HEADER", token},
          {"MY_SECRET", token}};
}

ListenerLaunch Launch() {
  ListenerLaunch launch;
  launch.agent_dir = "/opt/agent";
  return launch;
}

TEST(ListenerLaunchSpec, StartsTheListenerAsAServiceInTheAgentDirectory) {
  const auto spec = ListenerLaunchSpec(Launch(), ParentEnvironment(), {});
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"/opt/agent/bin/Agent.Listener", "run",
                                                 "--startuptype", "service"}));
  EXPECT_EQ(spec.working_directory, "/opt/agent");
  EXPECT_FALSE(spec.uid.has_value());
  EXPECT_FALSE(spec.gid.has_value());
  EXPECT_EQ(spec.env.count("agent.disableupdate"), 0U);
}

TEST(ListenerLaunchSpec, CarriesTheScrubbedEnvironmentAndNeverTheToken) {
  const auto spec = ListenerLaunchSpec(Launch(), ParentEnvironment(), {});
  EXPECT_EQ(spec.env.at("PATH"), "/usr/bin:/bin");
  EXPECT_EQ(spec.env.at("LANG"), "C.UTF-8");
  EXPECT_EQ(spec.env.at("VSTS_AGENT_HTTPTRACE"), "true");
  for (const char* name : {"AZP_TOKEN", "AGENTBOOT_IDENTITY", "SYSTEM_ACCESSTOKEN",
                           "AGENT_TOKEN_FILE", "IDENTITY_HEADER", "MY_SECRET"}) {
    EXPECT_EQ(spec.env.count(name), 0U) << name;
  }
  for (const auto& [name, value] : spec.env) {
    EXPECT_EQ(value.find(kToken), std::string::npos) << name;
  }
  for (const auto& arg : spec.argv) EXPECT_EQ(arg.find(kToken), std::string::npos) << arg;
}

TEST(ListenerLaunchSpec, OncePinnedAndRunAs) {
  ListenerLaunch once = Launch();
  once.once = true;
  EXPECT_EQ(ListenerLaunchSpec(once, {}, {}).argv.back(), "--once");

  ListenerLaunch pinned = Launch();
  pinned.pinned = true;
  EXPECT_EQ(ListenerLaunchSpec(pinned, {}, {}).env.at("agent.disableupdate"), "true");

  ListenerLaunch run_as = Launch();
  run_as.uid = 1234;
  run_as.gid = 2345;
  run_as.groups = {2345, 3456};
  supervisor::ListenerEnvironment env;
  env.run_as = supervisor::UserAccount{"builder", 1234, 2345, "/home/builder", "/bin/sh", {}};
  const auto spec = ListenerLaunchSpec(run_as, ParentEnvironment(), env);
  EXPECT_EQ(spec.uid, 1234U);
  EXPECT_EQ(spec.gid, 2345U);
  EXPECT_EQ(spec.supplementary_groups, (std::vector<uint32_t>{2345, 3456}));
  // The listener cannot write a root-owned agent directory: agentboot brings new versions.
  EXPECT_EQ(spec.env.at("agent.disableupdate"), "true");
  EXPECT_EQ(spec.env.at("HOME"), "/home/builder");
  EXPECT_EQ(spec.env.count("AZP_TOKEN"), 0U);
}

}  // namespace
}  // namespace agentboot::cli

#include <gtest/gtest.h>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor {
namespace {

using Vars = std::map<std::string, std::string>;

TEST(ScrubEnvironment, DropsSecretsAndAgentbootVariables) {
  const Vars parent = {{"AZP_TOKEN", "pat"},
                       {"AZP_TOKEN_FILE", "/azp/.token"},
                       {"IDENTITY_HEADER", "h"},
                       {"MSI_SECRET", "s"},
                       {"AZURE_CLIENT_SECRET", "s"},
                       {"AZP_CLIENTSECRET", "s"},
                       {"AZURE_CLIENT_CERTIFICATE_PASSWORD", "p"},
                       {"VSTS_AGENT_INPUT_TOKEN", "t"},
                       {"SYSTEM_ACCESSTOKEN", "t"},
                       {"AGENTBOOT_POOL", "p"},
                       {"AGENTBOOT_LOG_FORMAT", "json"},
                       {"PATH", "/usr/bin:/bin"},
                       {"HOME", "/home/agent"}};
  const Vars child = ScrubEnvironment(parent);
  EXPECT_EQ(child.count("PATH"), 1U);
  EXPECT_EQ(child.count("HOME"), 1U);
  for (const auto& [name, value] : parent) {
    if (name == "PATH" || name == "HOME") continue;
    EXPECT_EQ(child.count(name), 0U) << name;
  }
  EXPECT_EQ(child.count("VSO_AGENT_IGNORE"), 0U);  // nothing of ours left to hide
}

TEST(ScrubEnvironment, KeepsWorkloadIdentityButHidesItFromCapabilities) {
  const Vars parent = {{"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"},
                       {"AZURE_CLIENT_ID", "c"},
                       {"AZP_URL", "https://dev.azure.com/org"},
                       {"VSO_AGENT_IGNORE", "MY_VAR, AZP_URL"}};
  const Vars child = ScrubEnvironment(parent);
  EXPECT_EQ(child.at("AZURE_FEDERATED_TOKEN_FILE"), "/var/run/token");
  EXPECT_EQ(child.at("AZURE_CLIENT_ID"), "c");
  EXPECT_EQ(child.at("VSO_AGENT_IGNORE"),
            "MY_VAR,AZP_URL,AZURE_CLIENT_ID,AZURE_FEDERATED_TOKEN_FILE");
}

TEST(ScrubEnvironment, ExtraDropAcceptsNamesAndPrefixes) {
  const Vars parent = {{"CORP_KEY_A", "1"}, {"CORP_KEY_B", "2"}, {"ONE", "1"}, {"TWO", "2"}};
  const Vars child = ScrubEnvironment(parent, {"CORP_KEY_*", "ONE"});
  EXPECT_EQ(child, (Vars{{"TWO", "2"}}));
}

TEST(ScrubEnvironment, SecretMatchingIgnoresCase) {
  const Vars child = ScrubEnvironment({{"azp_token", "pat"}, {"my_secret", "s"}, {"keep", "k"}});
  EXPECT_EQ(child, (Vars{{"keep", "k"}}));
}

}  // namespace
}  // namespace agentboot::supervisor

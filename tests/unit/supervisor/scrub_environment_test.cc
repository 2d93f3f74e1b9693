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
  const Vars parent = {{"LC_ALL", "C"}, {"LC_TIME", "C"}, {"TZ", "UTC"}, {"TERM", "xterm"}};
  const Vars child = ScrubEnvironment(parent, {"LC_*", "TZ"});
  EXPECT_EQ(child, (Vars{{"TERM", "xterm"}}));
}

TEST(ScrubEnvironment, SecretMatchingIgnoresCase) {
  const Vars child = ScrubEnvironment({{"azp_token", "pat"},
                                       {"agent_my_secret", "s"},
                                       {"AGENT_Secret_Thing", "s"},
                                       {"LANG", "C.UTF-8"}});
  EXPECT_EQ(child, (Vars{{"LANG", "C.UTF-8"}}));
}

// Security review L3 (case A6c): the deny-list let these reach every job; the allow-list does not.
TEST(BuildListenerEnvironment, SecretsOutsideTheAllowListNeverReachTheListener) {
  const Vars parent = {{"AZURE_DEVOPS_EXT_PAT", "pat"},
                       {"GITHUB_TOKEN", "ghp_x"},
                       {"ARM_ACCESS_KEY", "key"},
                       {"AWS_SECRET_ACCESS_KEY", "k"},
                       {"NPM_TOKEN", "t"},
                       {"HTTPS_PROXY", "http://user:pass@proxy:3128"},
                       {"http_proxy", "http://user@proxy:3128/"},
                       {"ALL_PROXY", "socks5://u:p@proxy:1080"},
                       {"AGENT_ACCESS_TOKEN", "t"},
                       {"VSTS_AGENT_INPUT_AUTH", "pat"},
                       {"VSTS_AGENT_HTTPTRACE_PWD", "p"},
                       {"RANDOM_TOOL_SETTING", "x"},
                       {"PATH", "/usr/bin:/bin"}};
  const Vars child = BuildListenerEnvironment(parent, {});
  EXPECT_EQ(child, (Vars{{"PATH", "/usr/bin:/bin"}}));
}

TEST(BuildListenerEnvironment, KeepsTheAllowListAndAgentKnobs) {
  const Vars parent = {{"PATH", "/p"},
                       {"LANG", "C.UTF-8"},
                       {"LC_ALL", "C"},
                       {"TZ", "UTC"},
                       {"TERM", "dumb"},
                       {"HOME", "/root"},
                       {"HTTPS_PROXY", "http://proxy:3128"},
                       {"NO_PROXY", "localhost"},
                       {"AGENT_TOOLSDIRECTORY", "/opt/hostedtoolcache"},
                       {"VSTS_AGENT_HTTPTRACE", "true"},
                       {"agent.disableupdate", "true"}};
  EXPECT_EQ(BuildListenerEnvironment(parent, {}), parent);
}

// Security review L4: a --run-as listener gets its user's HOME, USER, LOGNAME, SHELL and a
// default PATH, never root's.
TEST(BuildListenerEnvironment, RunAsUserGetsItsOwnLoginFacts) {
  const Vars parent = {{"HOME", "/root"},
                       {"USER", "root"},
                       {"LOGNAME", "root"},
                       {"SHELL", "/bin/bash"},
                       {"PATH", "/root/bin:/usr/bin"}};
  ListenerEnvironment options;
  options.run_as = UserAccount{"builder", 1001, 1001, "/home/builder", "/bin/sh", {}};
  const Vars child = BuildListenerEnvironment(parent, options);
  EXPECT_EQ(child.at("HOME"), "/home/builder");
  EXPECT_EQ(child.at("USER"), "builder");
  EXPECT_EQ(child.at("LOGNAME"), "builder");
  EXPECT_EQ(child.at("SHELL"), "/bin/sh");
  EXPECT_EQ(child.at("PATH"), std::string(kDefaultListenerPath));
}

TEST(BuildListenerEnvironment, ExplicitVariablesPassAndWinButNeverAgentbootSecrets) {
  const Vars parent = {
      {"MY_TOOL_HOME", "/opt/tool"}, {"HTTPS_PROXY", "http://u:p@proxy"}, {"AZP_TOKEN", "pat"}};
  ListenerEnvironment options;
  options.explicit_vars = {"MY_TOOL_HOME", "HTTPS_PROXY",   "EXTRA=1", "PATH=/x",
                           "AZP_TOKEN",    "AGENTBOOT_X=1", "MISSING"};
  options.run_as = UserAccount{"builder", 1001, 1001, "/home/builder", "/bin/sh", {}};
  const Vars child = BuildListenerEnvironment(parent, options);
  EXPECT_EQ(child.at("MY_TOOL_HOME"), "/opt/tool");
  EXPECT_EQ(child.at("HTTPS_PROXY"), "http://u:p@proxy");  // the operator's explicit choice
  EXPECT_EQ(child.at("EXTRA"), "1");
  EXPECT_EQ(child.at("PATH"), "/x");
  EXPECT_EQ(child.count("AZP_TOKEN"), 0U);
  EXPECT_EQ(child.count("AGENTBOOT_X"), 0U);
  EXPECT_EQ(child.count("MISSING"), 0U);
}

TEST(EnvItemProblem, RefusesBadNamesSecretsAndControlCharacters) {
  EXPECT_EQ(EnvItemProblem("NAME"), "");
  EXPECT_EQ(EnvItemProblem("agent.disableupdate=true"), "");
  EXPECT_EQ(EnvItemProblem("A_1=x y"), "");
  EXPECT_NE(EnvItemProblem("=x"), "");
  EXPECT_NE(EnvItemProblem("1A=x"), "");
  EXPECT_NE(EnvItemProblem("A-B=x"), "");
  EXPECT_NE(EnvItemProblem("AZP_TOKEN=x").find("agentboot's own"), std::string::npos);
  EXPECT_NE(EnvItemProblem("IDENTITY_HEADER"), "");
  EXPECT_NE(EnvItemProblem("A=line\nbreak").find("control character"), std::string::npos);
}

TEST(ParseProcStatState, ReadsTheStateAfterTheLastParenthesis) {
  EXPECT_EQ(ParseProcStatState("42 (Agent.Listener) T 1 42 42 0 -1"), 'T');
  EXPECT_EQ(ParseProcStatState("42 (a) b) (c) S 1"), 'S');
  EXPECT_EQ(ParseProcStatState("42 (x) t 1"), 't');
  EXPECT_EQ(ParseProcStatState("42 (x)"), std::nullopt);
  EXPECT_EQ(ParseProcStatState(""), std::nullopt);
  EXPECT_TRUE(IsStoppedState('T'));
  EXPECT_TRUE(IsStoppedState('t'));
  EXPECT_FALSE(IsStoppedState('S'));
  EXPECT_FALSE(IsStoppedState(std::nullopt));
}

}  // namespace
}  // namespace agentboot::supervisor

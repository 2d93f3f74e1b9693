// The fallback registrar runs the agent's own config.sh with the token in its environment only.
#include <algorithm>

#include <gtest/gtest.h>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"

namespace agentboot::agent {
namespace {

class FixedToken final : public identity::TokenSource {
 public:
  std::string_view Name() const override { return "fixed"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest&) override {
    identity::AccessToken token;
    token.token = Secret("entra-token-value");
    token.expires_on = FromUnixSeconds(1'900'000'000);
    token.source = "fixed";
    return token;
  }
};

class ConfigScriptRegistrar : public ::testing::Test {
 protected:
  ConfigScriptRegistrar() {
    fake_.fs.Put("/azp/agent/config.sh", "#!/bin/bash\n", 0755);
    fake_.vars.Set("PATH", "/usr/bin");
    fake_.vars.Set("AZP_TOKEN", "old-pat");
    fake_.vars.Set("IDENTITY_HEADER", "platform-secret");
    options_.server_url = "https://dev.azure.com/org";
    options_.pool = "linux";
    options_.agent_name = "host-1";
    options_.replace = true;
  }
  testing::FakeEnv fake_;
  FixedToken tokens_;
  AgentFiles files_{fake_.fs, "/azp/agent"};
  RegisterOptions options_;
};

TEST_F(ConfigScriptRegistrar, TokenGoesInTheEnvironmentNeverOnTheCommandLine) {
  fake_.processes.Push(ProcessOutput{0, false, "Settings Saved.\n", ""});
  ASSERT_TRUE(RegisterWithConfigScript(fake_.env, tokens_, files_, options_));
  ASSERT_EQ(fake_.processes.specs().size(), 1U);
  const ProcessSpec& spec = fake_.processes.specs()[0];
  EXPECT_EQ(spec.argv[0], "/azp/agent/config.sh");
  for (const auto& arg : spec.argv) EXPECT_EQ(arg.find("entra-token-value"), std::string::npos);
  const std::vector<std::string> expected = {
      "--unattended", "--auth", "pat", "--url", "https://dev.azure.com/org", "--replace"};
  for (const auto& arg : expected) {
    EXPECT_NE(std::find(spec.argv.begin(), spec.argv.end(), arg), spec.argv.end()) << arg;
  }
  EXPECT_EQ(spec.env.at("VSTS_AGENT_INPUT_TOKEN"), "entra-token-value");
  EXPECT_EQ(spec.env.count("AZP_TOKEN"), 0U) << "other secrets never reach the child";
  EXPECT_EQ(spec.env.count("IDENTITY_HEADER"), 0U);
  EXPECT_EQ(spec.env.at("PATH"), "/usr/bin");
  EXPECT_EQ(spec.working_directory, "/azp/agent");
}

TEST_F(ConfigScriptRegistrar, FailureReportsTheScriptsLastLinesWithoutTheToken) {
  fake_.processes.Push(ProcessOutput{1, false, "a\nb\nError: pool not found\n", ""});
  const auto done = RegisterWithConfigScript(fake_.env, tokens_, files_, options_);
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().detail.find("pool not found"), std::string::npos);
  EXPECT_EQ(done.error().ToString().find("entra-token-value"), std::string::npos);
}

TEST_F(ConfigScriptRegistrar, WithoutConfigShItSaysWhatToDo) {
  AgentFiles empty(fake_.fs, "/elsewhere");
  const auto done = RegisterWithConfigScript(fake_.env, tokens_, empty, options_);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ErrorCode::kNotFound);
  EXPECT_NE(done.error().advice.find("--registrar native"), std::string::npos);
  EXPECT_TRUE(fake_.processes.specs().empty());
}

}  // namespace
}  // namespace agentboot::agent

// `agentboot register` / `unregister` against the simulated organization: the files work for the
// (fake) official listener, registration is idempotent, --replace and placeholders behave.
#include "cli_fixture.h"
#include <sys/stat.h>

namespace agentboot::cli_test {
namespace {

class Register : public CliFixture {
 protected:
  RunResult RegisterAs(const std::string& root, const std::string& name,
                       std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"register", "--agent-dir", root, "--agent-name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, ImdsEnv());
  }
  static uint32_t ModeOf(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777U) : 0;
  }
};

TEST_F(Register, NewAgentGetsWorkingFilesAndOneServerAgent) {
  const std::string root = MakeAgentRoot("a");
  const RunResult run = RegisterAs(root, "host-a");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("created"), std::string::npos) << run.out;
  for (const char* file : {"/.agent", "/.credentials", "/.credentials_rsaparams"}) {
    EXPECT_EQ(ModeOf(root + file), 0600U) << file;
  }
  const auto agents = AgentsNamed("host-a");
  ASSERT_EQ(agents.size(), 1U);
  EXPECT_EQ(agents[0].value("version", ""), "4.260.0");  // the listener's own --version
  EXPECT_EQ(ListenerCheck(root), 0);
}

TEST_F(Register, RunningTwiceLeavesOneAgentAndNoChange) {
  const std::string root = MakeAgentRoot("a");
  ASSERT_EQ(RegisterAs(root, "host-a").exit_code, 0);
  const std::string key = ReadFile(root + "/.credentials_rsaparams");
  const RunResult again = RegisterAs(root, "host-a");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(AgentsNamed("host-a").size(), 1U);
  EXPECT_EQ(ReadFile(root + "/.credentials_rsaparams"), key);
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/1/agents", "POST"), 1);
}

TEST_F(Register, ExistingNameNeedsReplaceAndReplaceRetiresTheOldKey) {
  const std::string first = MakeAgentRoot("first");
  const std::string second = MakeAgentRoot("second");
  ASSERT_EQ(RegisterAs(first, "shared").exit_code, 0);
  const RunResult refused = RegisterAs(second, "shared");
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.err.find("--replace"), std::string::npos) << refused.err;

  const RunResult replaced = RegisterAs(second, "shared", {"--replace"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(replaced.out.find("replaced"), std::string::npos);
  EXPECT_EQ(AgentsNamed("shared").size(), 1U);
  EXPECT_EQ(ListenerCheck(second), 0);
  EXPECT_NE(ListenerCheck(first), 0) << "the old key must be refused after --replace";
}

TEST_F(Register, AgentDeletedOnTheServerIsRegisteredAgain) {
  const std::string root = MakeAgentRoot("a");
  ASSERT_EQ(RegisterAs(root, "host-a").exit_code, 0);
  ASSERT_EQ(Agentboot({"unregister", "--agent-name", "host-a", "--agent-dir", temp_dir_ + "/none"},
                      ImdsEnv())
                .exit_code,
            0);
  ASSERT_TRUE(AgentsNamed("host-a").empty());
  const RunResult again = RegisterAs(root, "host-a");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("re-registered"), std::string::npos) << again.out;
  EXPECT_EQ(ListenerCheck(root), 0);
}

TEST_F(Register, UnregisterDeletesWithAFreshTokenAndRemovesCredentials) {
  const std::string root = MakeAgentRoot("a");
  ASSERT_EQ(RegisterAs(root, "host-a").exit_code, 0);
  const RunResult run = Agentboot({"unregister", "--agent-dir", root}, ImdsEnv());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(AgentsNamed("host-a").empty());
  for (const char* file : {"/.agent", "/.credentials", "/.credentials_rsaparams"}) {
    EXPECT_FALSE(PosixFileSystem().Exists(root + file)) << file;
  }
  const RunResult again = Agentboot({"unregister", "--agent-dir", root}, ImdsEnv());
  EXPECT_EQ(again.exit_code, 0) << "unregistering twice is not an error";
}

TEST_F(Register, PlaceholderIsCreatedOnceAndProtectedFromCleanup) {
  const RunResult created = Agentboot({"register", "--placeholder", "--agent-name", "template",
                                       "--capability", "image=ubuntu-24.04"},
                                      ImdsEnv());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const RunResult again =
      Agentboot({"register", "--placeholder", "--agent-name", "template"}, ImdsEnv());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_EQ(AgentsNamed("template").size(), 1U);

  const RunResult refused = Agentboot(
      {"unregister", "--agent-name", "template", "--agent-dir", temp_dir_ + "/none"}, ImdsEnv());
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_EQ(AgentsNamed("template").size(), 1U);
  const RunResult forced = Agentboot(
      {"unregister", "--agent-name", "template", "--force", "--agent-dir", temp_dir_ + "/none"},
      ImdsEnv());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(AgentsNamed("template").empty());
}

TEST_F(Register, WorkloadIdentityRegistersOverTls) {
  const std::string root = MakeAgentRoot("w");
  const RunResult run = Agentboot(
      {"register", "--agent-dir", root, "--agent-name", "pod-1", "--url",
       Var("AGENTBOOT_SIM_AZP_URL_TLS"), "--ca-file", Var("AGENTBOOT_SIM_CA_FILE")},
      {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID")},
       {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
       {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
       {"AZURE_FEDERATED_TOKEN_FILE", Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE")}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AgentsNamed("pod-1").size(), 1U);
}

TEST_F(Register, DefaultNameOnAnAzureVmIsTheInstanceName) {
  Control("POST", "/instance", {{"name", "vmss-agents_7"}});
  const std::string root = MakeAgentRoot("vm");
  const RunResult run = Agentboot({"register", "--agent-dir", root}, ImdsEnv());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AgentsNamed("vmss-agents_7").size(), 1U) << run.out;
}

}  // namespace
}  // namespace agentboot::cli_test

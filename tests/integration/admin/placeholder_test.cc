// `agentboot placeholder ensure` against the simulated organization: idempotent, heals a
// deletion, keeps capabilities in step, never takes over a real agent, never pruned.
#include "admin_fixture.h"

namespace agentboot::admin_test {
namespace {

class Placeholder : public AdminFixture {
 protected:
  RunResult Ensure(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"placeholder", "ensure", "--agent-name", "keda-template"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, ImdsEnv());
  }
  nlohmann::json Capabilities() const {
    const auto agents = AgentsNamed("keda-template");
    EXPECT_EQ(agents.size(), 1U);
    return agents.empty() ? nlohmann::json() : agents[0].at("system_capabilities");
  }
};

TEST_F(Placeholder, CreatesAnOfflineMarkedAgentOnceThenLeavesItAlone) {
  RunResult run = Ensure({"--capability", "docker=true"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Has(run.out, "created")) << run.out;
  const auto agents = AgentsNamed("keda-template");
  ASSERT_EQ(agents.size(), 1U);
  EXPECT_EQ(agents[0].value("status", ""), "offline");
  EXPECT_EQ(Capabilities().value("agentboot.placeholder", ""), "true");
  EXPECT_EQ(Capabilities().value("docker", ""), "true");
  run = Ensure({"--capability", "docker=true"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Has(run.out, "unchanged")) << run.out;
  EXPECT_EQ(AgentsNamed("keda-template").size(), 1U);
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/1/agents", "POST"), 1);
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/1/agents", "PUT"), 0);
}

TEST_F(Placeholder, IsCreatedAgainAfterACleanupScriptDeletedIt) {
  ASSERT_EQ(Ensure().exit_code, kOk);
  const RunResult removed = Agentboot({"unregister", "--agent-name", "keda-template", "--force",
                                       "--agent-dir", temp_dir_ + "/none"},
                                      ImdsEnv());
  ASSERT_EQ(removed.exit_code, kOk) << removed.err;
  ASSERT_FALSE(Exists("keda-template"));
  const RunResult run = Ensure();
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Has(run.out, "created")) << run.out;
  EXPECT_TRUE(Exists("keda-template"));
}

TEST_F(Placeholder, CapabilitiesFollowTheCommandLine) {
  ASSERT_EQ(Ensure({"--capability", "java=17", "--capability", "gpu=none"}).exit_code, kOk);
  const RunResult run = Ensure({"--capability", "java=21", "--capability", "docker=true"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Has(run.out, "capabilities updated")) << run.out;
  EXPECT_TRUE(Has(run.out, "removed gpu")) << run.out;
  const auto caps = Capabilities();
  EXPECT_EQ(caps.value("java", ""), "21");
  EXPECT_EQ(caps.value("docker", ""), "true");
  EXPECT_FALSE(caps.contains("gpu"));
  EXPECT_EQ(caps.value("agentboot.placeholder", ""), "true");
  EXPECT_EQ(caps.value("Agent.Name", ""), "keda-template");
}

TEST_F(Placeholder, PruneNeverDeletesIt) {
  ASSERT_EQ(Ensure().exit_code, kOk);
  Control("POST", "/clock", {{"advance_seconds", 30 * 86400}});
  const RunResult run = Agentboot({"prune", "--older-than", "1h", "--apply"}, ImdsEnv());
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Exists("keda-template"));
  EXPECT_TRUE(Has(run.out, "placeholder")) << run.out;
}

TEST_F(Placeholder, ARealAgentOfThatNameIsNeverTakenOver) {
  AddAgent({"keda-template", "online", 0});
  const RunResult run = Ensure();
  EXPECT_EQ(run.exit_code, kConflict) << run.err;
  EXPECT_TRUE(Has(run.err, "another --agent-name")) << run.err;
}

TEST_F(Placeholder, FailureModesHaveTheirExitCodes) {
  RunResult run = Agentboot({"placeholder", "ensure"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_TRUE(Has(run.err, "--agent-name")) << run.err;
  run = Ensure({"--capability", "novalue"});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  run = Ensure({"--pool", "nope"});
  EXPECT_EQ(run.exit_code, kNotFound) << run.err;
  EXPECT_TRUE(Has(run.err, "Default")) << "lists the visible pools: " << run.err;
  Control("POST", "/devops/pool-admins", {{"pool", 1}, {"oid", SystemOid()}, {"admin", false}});
  run = Ensure();
  EXPECT_EQ(run.exit_code, kForbidden) << run.err;
  Control("POST", "/devops/members", {{"oid", SystemOid()}, {"member", false}});
  run = Ensure();
  EXPECT_EQ(run.exit_code, kDevOpsUnauthenticated) << run.err;
}

}  // namespace
}  // namespace agentboot::admin_test

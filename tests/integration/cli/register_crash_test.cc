// Crash safety of `register` (agent-contract §1): the process is killed right after each of its
// steps in turn (an HTTP exchange answered or a file written, through the
// AGENTBOOT_TEST_CRASH_AFTER hook); a plain rerun must then leave exactly one agent whose
// registered key is the one on disk, with files the listener accepts. The hook exists only in
// agentboot-testhooks (security-review L10).
#include "cli_fixture.h"

namespace agentboot::cli_test {
namespace {

class RegisterCrash : public CliFixture {
 protected:
  RegisterCrash() { binary_ = AGENTBOOT_TESTHOOKS_BIN; }
};

TEST_F(RegisterCrash, ACrashAfterAnyStepIsRepairedByTheNextRun) {
  int crashes = 0;
  for (int step = 1; step < 30; ++step) {
    const std::string name = "crash-" + std::to_string(step);
    const std::string root = MakeAgentRoot(name);
    auto env = ImdsEnv();
    env["AGENTBOOT_TEST_CRASH_AFTER"] = std::to_string(step);
    const std::vector<std::string> args = {"register", "--agent-dir", root, "--agent-name", name};
    const RunResult crashed = Agentboot(args, env);
    if (crashed.exit_code == 0) break;  // past the last step: every step has been covered
    ASSERT_EQ(crashed.exit_code, 137) << "step " << step << ": " << crashed.err;
    ++crashes;
    EXPECT_LE(AgentsNamed(name).size(), 1U) << "step " << step;

    const RunResult rerun = Agentboot(args, ImdsEnv());
    ASSERT_EQ(rerun.exit_code, 0) << "step " << step << ": " << rerun.err;
    const auto agents = AgentsNamed(name);
    ASSERT_EQ(agents.size(), 1U) << "step " << step;
    EXPECT_EQ(ListenerCheck(root), 0) << "step " << step << ": the registered key is not on disk";
  }
  // IMDS token, pool, agent lookup, key file, POST, three files: at least eight steps.
  EXPECT_GE(crashes, 8);
}

}  // namespace
}  // namespace agentboot::cli_test

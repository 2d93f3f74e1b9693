// `agentboot run --idle-timeout` end to end: the real agentboot, the fake listener and the
// simulator's jobs. The idle time is the server's (assignedRequest, lastCompletedRequest).
#include "run_fixture.h"

namespace agentboot::cli_test {
namespace {

class IdleTimeout : public RunCommand {
 protected:
  std::vector<std::string> Args(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--agent-version", FAKE_AGENT_VERSION, "--drain-poll", "0.3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunArgs(name, args);
  }
  json Job(size_t index) {
    const json body = Control("GET", "/devops/jobs");
    const auto jobs = body.contains("jobs") ? body["jobs"] : json::array();
    return index < jobs.size() ? jobs[index] : json();
  }
};

TEST_F(IdleTimeout, AnAgentWithoutJobsDrainsAndExitsZero) {
  const auto started = Clock::now();
  Start(Args("idle", {"--idle-timeout", "3s"}));
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_GE(Clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(AgentsNamed("idle").empty()) << "the drained agent is removed";
  EXPECT_NE(Log().find("no job for the idle timeout"), std::string::npos) << Log();
  EXPECT_NE(Log().find("idle for 3s"), std::string::npos) << Log();
  EXPECT_GE(RequestCount("/sim/_apis/distributedtask/pools/1/agents/", "GET"), 1);
}

TEST_F(IdleTimeout, ARunningJobIsNeverCutShortAndRestartsTheWait) {
  QueueJob("succeeded", 5000);
  const auto started = Clock::now();
  Start(Args("worker", {"--idle-timeout", "3s"}));
  ASSERT_TRUE(Eventually([&] { return Job(0).value("state", "") == "running"; })) << Log();
  EXPECT_EQ(WaitExit(), 0) << Log();
  // The job took 5 s; the idle wait of 3 s started when it finished.
  EXPECT_GE(Clock::now() - started, std::chrono::seconds(8));
  EXPECT_EQ(Job(0).value("result", ""), "succeeded") << Log();
  EXPECT_EQ(Log().find("JOB CANCELLED"), std::string::npos) << Log();
  EXPECT_TRUE(AgentsNamed("worker").empty());
}

TEST_F(IdleTimeout, KeepRegistrationLeavesTheAgentForTheNextStart) {
  Start(Args("kept", {"--idle-timeout", "2s", "--keep-registration"}));
  EXPECT_EQ(WaitExit(), 0) << Log();
  const auto agents = AgentsNamed("kept");
  ASSERT_EQ(agents.size(), 1U);
  EXPECT_TRUE(agents[0].value("enabled", false));
}

TEST_F(IdleTimeout, ABadValueIsAUsageError) {
  const RunResult run = Agentboot(Args("bad", {"--idle-timeout", "soon"}), ImdsEnv());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--idle-timeout"), std::string::npos) << run.err;
  EXPECT_TRUE(AgentsNamed("bad").empty());
}

}  // namespace
}  // namespace agentboot::cli_test

// The fake Agent.Listener's `run` against the simulator (agent-contract §3-4): a --once job ends
// with the queued result and exit 0, SIGINT cancels a running job, a second listener of the
// same agent gives up on the session conflict with exit 1, and a deleted agent's next start
// exits 1 with the MissingAgent text.
#include <csignal>

#include "listener_files.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsListenerRun = ListenerFixture;

TEST_F(SimDevOpsListenerRun, OnceRunsOneJobWithTheQueuedResultAndExitsZero) {
  nlohmann::json agent = PrepareAgent("once");
  auto listener = ListenerProcess::Start(RootOf("once"), {"run", "--once"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return AgentState(agent["id"])["status"] == "online"; }));
  const int64_t request_id = QueueJob(
      {{"pool", "Default"}, {"duration_ms", 300}, {"result", "succeededWithIssues"}})["request_id"];
  std::optional<int> code = listener->Wait();
  ASSERT_TRUE(code.has_value()) << listener->Stdout();
  EXPECT_EQ(*code, 0) << listener->Stderr();
  const nlohmann::json job = Job(request_id);
  EXPECT_EQ(job["state"], "completed");
  EXPECT_EQ(job["result"], "succeededWithIssues");
  EXPECT_GE(job["lock_renewals"].get<int>(), 1);
  EXPECT_NE(listener->Stdout().find("Running job: " + job["job_id"].get<std::string>()),
            std::string::npos);
  EXPECT_NE(listener->Stdout().find("completed with result: succeededWithIssues"),
            std::string::npos);
  // The session is gone and the job message was deleted.
  EXPECT_EQ(AgentState(agent["id"])["status"], "offline");
  EXPECT_EQ(Control("GET", "/_control/devops/sessions").Json()["count"], 0) << listener->Stderr();
}

TEST_F(SimDevOpsListenerRun, SigintCancelsTheRunningJobAndExitsZero) {
  nlohmann::json agent = PrepareAgent("interrupted");
  auto listener = ListenerProcess::Start(RootOf("interrupted"), {"run"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  const int64_t request_id = QueueJob({{"pool", 1}, {"duration_ms", 600'000}})["request_id"];
  ASSERT_TRUE(listener->WaitForStdout("Running job:")) << listener->Stderr();
  listener->Signal(SIGINT);
  std::optional<int> code = listener->Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << listener->Stderr();
  // Everything the listener said and the job as the simulator holds it, should this ever fail
  // again (once in a loaded ASan run, cause not found).
  const nlohmann::json job = Job(request_id);
  EXPECT_EQ(job["result"], "canceled") << job.dump() << "\n"
                                       << listener->Stdout() << "\n"
                                       << listener->Stderr();
  EXPECT_EQ(AgentState(agent["id"])["status"], "offline");
}

TEST_F(SimDevOpsListenerRun, SecondListenerGivesUpOnTheSessionConflict) {
  PrepareAgent("twice");
  auto first = ListenerProcess::Start(RootOf("twice"), {"run"});
  ASSERT_TRUE(first->WaitForStdout("Listening for Jobs")) << first->Stderr();
  auto second = ListenerProcess::Start(RootOf("twice"), {"run"},
                                       {{"FAKE_AGENT_SESSION_CONFLICT_LIMIT_MS", "1500"}});
  std::optional<int> code = second->Wait();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(second->Stderr().find("A session for this agent already exists."), std::string::npos);
  // SIGTERM shuts the agent down like SIGINT, then the process ends as the .NET runtime ends a
  // SIGTERMed one (128 + SIGTERM; agent-contract §4).
  first->Signal(SIGTERM);
  EXPECT_EQ(first->Wait(), std::optional<int>(128 + SIGTERM));
}

TEST_F(SimDevOpsListenerRun, DeletedAgentEndsTheListenerAndTheNextStartExitsOne) {
  ASSERT_EQ(Control("POST", "/_control/devops/settings", {{"keep_deleted_agent_credentials", true}})
                .status,
            200);
  nlohmann::json agent = PrepareAgent("doomed");
  auto listener = ListenerProcess::Start(RootOf("doomed"), {"run"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("DELETE", path, admin_).status, 204);
  // The poll fails with TaskAgentNotFoundException: rethrown, exit 2.
  EXPECT_EQ(listener->Wait(), std::optional<int>(2)) << listener->Stderr();
  auto next = ListenerProcess::Start(RootOf("doomed"), {"run"});
  EXPECT_EQ(next->Wait(), std::optional<int>(1));
  EXPECT_NE(next->Stderr().find("The agent no longer exists on the server. Please reconfigure the "
                                "agent."),
            std::string::npos)
      << next->Stderr();
}

TEST_F(SimDevOpsListenerRun, AgentDeletionIsRefusedWhileTheJobRuns) {
  nlohmann::json agent = PrepareAgent("busy");
  auto listener = ListenerProcess::Start(RootOf("busy"), {"run"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  QueueJob({{"pool", 1}, {"duration_ms", 600'000}});
  ASSERT_TRUE(listener->WaitForStdout("Running job:"));
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  Answer refused = Api("DELETE", path, admin_);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.Json()["typeKey"], "TaskAgentJobStillRunningException");
  listener->Signal(SIGINT);
  EXPECT_EQ(listener->Wait(), std::optional<int>(0));
}

}  // namespace
}  // namespace agentboot::simdevops_test

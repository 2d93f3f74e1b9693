#include "devops_jobs.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

namespace agentboot::sim::detail {
namespace {

AgentRecord Agent(int64_t id, nlohmann::json system,
                  nlohmann::json user = nlohmann::json::object()) {
  AgentRecord agent;
  agent.id = id;
  agent.pool_id = 1;
  agent.system_capabilities = std::move(system);
  agent.user_capabilities = std::move(user);
  return agent;
}

TEST(DevOpsDemands, ParsesExistsAndEqualsForms) {
  std::optional<Demand> exists = ParseDemand(" docker ");
  ASSERT_TRUE(exists);
  EXPECT_EQ(exists->name, "docker");
  EXPECT_FALSE(exists->equals);
  std::optional<Demand> equals = ParseDemand("Agent.OS -equals Linux");
  ASSERT_TRUE(equals);
  EXPECT_EQ(equals->name, "Agent.OS");
  EXPECT_EQ(equals->equals, "Linux");
  EXPECT_FALSE(ParseDemand(""));
  EXPECT_FALSE(ParseDemand("a -gtVersion 2"));
}

TEST(DevOpsDemands, MatchNamesCaseInsensitivelyAndValuesExactlyUserFirst) {
  AgentRecord agent = Agent(1, {{"Agent.OS", "Linux"}, {"tool", "1"}}, {{"tool", "2"}});
  EXPECT_TRUE(SatisfiesDemands(agent, {}));
  EXPECT_TRUE(SatisfiesDemands(agent, {"agent.os", "AGENT.OS -equals Linux"}));
  EXPECT_FALSE(SatisfiesDemands(agent, {"Agent.OS -equals linux"}));
  EXPECT_TRUE(SatisfiesDemands(agent, {"tool -equals 2"}));  // the user capability wins
  EXPECT_FALSE(SatisfiesDemands(agent, {"docker"}));
  EXPECT_FALSE(SatisfiesDemands(agent, {"tool -gt 1"}));
}

TEST(DevOpsDispatch, PicksTheLowestEnabledIdleAgentWithASessionThatMeetsDemands) {
  JobRequestRecord job;
  job.pool_id = 1;
  job.demands = {"tool"};
  AgentRecord disabled = Agent(1, {{"tool", "x"}});
  disabled.enabled = false;
  std::vector<DispatchCandidate> candidates = {{disabled, true, false},
                                               {Agent(2, {{"tool", "x"}}), false, false},
                                               {Agent(3, {{"tool", "x"}}), true, true},
                                               {Agent(5, {{"tool", "x"}}), true, false},
                                               {Agent(4, {}), true, false}};
  EXPECT_EQ(PickAgent(job, candidates), std::optional<int64_t>(5));
  candidates[3].busy = true;
  EXPECT_FALSE(PickAgent(job, candidates));
  job.pool_id = 2;
  candidates[3].busy = false;
  EXPECT_FALSE(PickAgent(job, candidates));  // other pool
}

TEST(DevOpsJobs, StatesAndResults) {
  JobRequestRecord job;
  EXPECT_EQ(JobState(job), "queued");
  job.assign_time = FromUnixSeconds(1);
  EXPECT_EQ(JobState(job), "running");
  job.finish_time = FromUnixSeconds(2);
  EXPECT_EQ(JobState(job), "completed");
  EXPECT_TRUE(IsJobResult("succeededWithIssues"));
  EXPECT_TRUE(IsJobResult("Canceled"));
  EXPECT_FALSE(IsJobResult("done"));
}

class JobDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentRecord draft;
    draft.pool_id = 1;
    draft.name = "a1";
    draft.system_capabilities = {{"tool", "yes"}};
    agent_ = org_.AddAgent(draft, env_.clock.Now(), [](const std::string&) { return "u"; }).value();
  }
  JobRequestRecord Queue(std::vector<std::string> demands = {}) {
    JobRequestRecord job;
    job.pool_id = 1;
    job.job_id = "job-" + std::to_string(++jobs_);
    job.plan_id = "plan";
    job.duration_ms = 1500;
    job.requested_result = "failed";
    job.demands = std::move(demands);
    job.queue_time = env_.clock.Now();
    return org_.QueueJobRequest(job).value();
  }
  void OpenSession() {
    SessionRecord session;
    session.pool_id = 1;
    session.agent_id = agent_.id;
    ASSERT_TRUE(board_.Open(session, env_.random));
  }
  testing::FakeEnv env_;
  DevOpsOrg org_{env_.fs, env_.random, "", FromUnixSeconds(1'800'000'000)};
  SessionBoard board_;
  JobDispatcher dispatcher_{org_, board_, env_.random};
  AgentRecord agent_;
  int jobs_ = 0;
};

TEST_F(JobDispatcherTest, QueuedJobWaitsForASessionThenGetsAMessageAndALock) {
  JobRequestRecord job = Queue();
  EXPECT_TRUE(dispatcher_.Dispatch(env_.clock.Now()).empty());  // nobody listens yet
  OpenSession();
  std::vector<JobRequestRecord> assigned = dispatcher_.Dispatch(env_.clock.Now());
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].agent_id, agent_.id);
  EXPECT_EQ(assigned[0].assign_time, env_.clock.Now());
  EXPECT_EQ(assigned[0].locked_until, env_.clock.Now() + kJobLockDuration);
  std::optional<AgentMessage> message = board_.Peek(1, agent_.id);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->message_type, "PipelineAgentJobRequest");
  nlohmann::json body = nlohmann::json::parse(message->body);
  EXPECT_EQ(body["requestId"], job.request_id);
  EXPECT_EQ(body["jobId"], job.job_id);
  EXPECT_EQ(body["lockToken"], assigned[0].lock_token);
  EXPECT_EQ(body["variables"]["system.duration_ms"]["value"], "1500");
  EXPECT_EQ(body["variables"]["agentboot.sim.result"]["value"], "failed");
  EXPECT_TRUE(dispatcher_.Dispatch(env_.clock.Now()).empty());  // never assigned twice
}

TEST_F(JobDispatcherTest, BusyAgentTakesTheNextJobOnlyAfterCompletion) {
  OpenSession();
  JobRequestRecord first = Queue();
  JobRequestRecord second = Queue();
  ASSERT_EQ(dispatcher_.Dispatch(env_.clock.Now()).size(), 1u);
  EXPECT_TRUE(org_.FindJobRequest(second.request_id)->Queued());
  JobRequestRecord running = *org_.FindJobRequest(first.request_id);
  EXPECT_FALSE(CompleteJob(org_, first.request_id, "wrong-token", "failed", env_.clock.Now()));
  ASSERT_TRUE(RenewJobLock(org_, first.request_id, running.lock_token, env_.clock.Now()));
  EXPECT_EQ(org_.FindJobRequest(first.request_id)->lock_renewals, 1);
  ASSERT_TRUE(CompleteJob(org_, first.request_id, "00000000-0000-0000-0000-000000000000", "failed",
                          env_.clock.Now()));
  EXPECT_EQ(org_.FindJobRequest(first.request_id)->result, "failed");
  // A finished request can be neither renewed nor finished again.
  EXPECT_FALSE(RenewJobLock(org_, first.request_id, running.lock_token, env_.clock.Now()));
  ASSERT_EQ(dispatcher_.Dispatch(env_.clock.Now()).size(), 1u);
  EXPECT_TRUE(org_.FindJobRequest(second.request_id)->Running());
}

TEST_F(JobDispatcherTest, DisabledAgentOrUnmetDemandGetsNoJob) {
  OpenSession();
  JobRequestRecord unmet = Queue({"tool -equals no"});
  EXPECT_TRUE(dispatcher_.Dispatch(env_.clock.Now()).empty());
  ASSERT_TRUE(org_.UpdateAgent(1, agent_.id, [](AgentRecord& a) { a.enabled = false; }));
  JobRequestRecord plain = Queue();
  EXPECT_TRUE(dispatcher_.Dispatch(env_.clock.Now()).empty());
  EXPECT_FALSE(board_.Peek(1, agent_.id));
  ASSERT_TRUE(org_.UpdateAgent(1, agent_.id, [](AgentRecord& a) { a.enabled = true; }));
  std::vector<JobRequestRecord> assigned = dispatcher_.Dispatch(env_.clock.Now());
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].request_id, plain.request_id);
  EXPECT_TRUE(org_.FindJobRequest(unmet.request_id)->Queued());
}

TEST_F(JobDispatcherTest, QueueingNeedsAnExistingPool) {
  JobRequestRecord job;
  job.pool_id = 99;
  Result<JobRequestRecord> queued = org_.QueueJobRequest(job);
  ASSERT_FALSE(queued);
  EXPECT_EQ(queued.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace agentboot::sim::detail

// Job dispatch over sockets, with the test acting as the listener: queue through the control
// API, receive the PipelineAgentJobRequest, renew the lock, complete it, and see the result in
// the job-request list; no dispatch to a disabled agent or one that lacks a demand.
#include "listener_files.h"

namespace agentboot::simdevops_test {
namespace {

const std::string kPool = "/_apis/distributedtask/pools/1";

class SimDevOpsJobs : public ListenerFixture {
 protected:
  // Registers an agent and opens its session; fills token_ and session_.
  nlohmann::json Online(const std::string& name) {
    nlohmann::json agent = RegisterAgent(admin_, name, KeyA());
    token_ = AgentToken(agent, KeyA());
    Answer session = Api("POST", kPool + "/sessions", token_,
                         {{"ownerName", "host"},
                          {"agent", {{"id", agent["id"]}, {"name", name}}},
                          {"systemCapabilities", {{"tool", "yes"}}}});
    EXPECT_EQ(session.status, 201) << session.body;
    session_ = session.Json().value("sessionId", "");
    return agent;
  }
  Answer Poll() { return Api("GET", kPool + "/messages?sessionId=" + session_, token_); }
  std::string token_;
  std::string session_;
};

TEST_F(SimDevOpsJobs, DispatchRenewAndCompleteWithAResult) {
  nlohmann::json agent = Online("worker");
  nlohmann::json queued =
      QueueJob({{"pool", "Default"}, {"duration_ms", 750}, {"result", "failed"}});
  const int64_t request_id = queued["request_id"];
  EXPECT_EQ(queued["state"], "running");  // an idle agent with a session takes it at once
  EXPECT_EQ(queued["agent_id"], agent["id"]);

  Answer message = Poll();
  ASSERT_EQ(message.status, 200) << message.body;
  EXPECT_EQ(message.Json()["messageType"], "PipelineAgentJobRequest");
  nlohmann::json job = nlohmann::json::parse(message.Json()["body"].get<std::string>());
  EXPECT_EQ(job["requestId"], request_id);
  EXPECT_EQ(job["jobId"], queued["job_id"]);
  EXPECT_EQ(job["plan"]["planId"], queued["plan_id"]);
  EXPECT_EQ(job["variables"]["system.duration_ms"]["value"], "750");
  EXPECT_EQ(job["variables"]["agentboot.sim.result"]["value"], "failed");
  EXPECT_EQ(AgentState(agent["id"])["assignedRequest"]["requestId"], request_id);

  const std::string patch = kPool + "/jobrequests/" + std::to_string(request_id) + "?lockToken=";
  // The real agent renews with the empty GUID; a wrong token is refused.
  Answer renewed = Api("PATCH", patch + "00000000-0000-0000-0000-000000000000", token_,
                       {{"requestId", request_id}});
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_TRUE(renewed.Json().contains("lockedUntil"));
  EXPECT_EQ(Api("PATCH", patch + "11111111-1111-1111-1111-111111111111", token_,
                {{"requestId", request_id}})
                .status,
            409);
  EXPECT_EQ(Job(request_id)["lock_renewals"], 1);

  Answer finished = Api("PATCH", patch + job["lockToken"].get<std::string>(), token_,
                        {{"requestId", request_id},
                         {"finishTime", FormatUtc(SystemClock().Now())},
                         {"result", "failed"}});
  ASSERT_EQ(finished.status, 200) << finished.body;
  EXPECT_EQ(Job(request_id)["state"], "completed");
  EXPECT_EQ(Job(request_id)["result"], "failed");
  EXPECT_FALSE(AgentState(agent["id"]).contains("assignedRequest"));

  // Finished requests are listed only when asked for (GetAgentRequestsForAgentAsync's
  // completedRequestCount).
  Answer list = Api("GET",
                    kPool + "/jobrequests?agentId=" + std::to_string(agent["id"].get<int64_t>()) +
                        "&completedRequestCount=1",
                    admin_);
  ASSERT_EQ(list.Json()["count"], 1);
  EXPECT_EQ(list.Json()["value"][0]["result"], "failed");
  EXPECT_EQ(list.Json()["value"][0]["reservedAgent"]["name"], "worker");
  EXPECT_TRUE(list.Json()["value"][0].contains("finishTime"));
  EXPECT_TRUE(list.Json()["value"][0].contains("assignTime"));
}

TEST_F(SimDevOpsJobs, DisabledAgentGetsNothingUntilEnabled) {
  nlohmann::json agent = Online("resting");
  const std::string path = kPool + "/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("PATCH", path, admin_, {{"enabled", false}}).status, 200);
  const int64_t request_id = QueueJob({{"pool", 1}, {"duration_ms", 10}})["request_id"];
  EXPECT_EQ(Poll().status, 202);
  EXPECT_EQ(Job(request_id)["state"], "queued");
  ASSERT_EQ(Api("PATCH", path, admin_, {{"enabled", true}}).status, 200);
  Answer message = Poll();
  ASSERT_EQ(message.status, 200) << message.body;
  EXPECT_EQ(Job(request_id)["state"], "running");
}

TEST_F(SimDevOpsJobs, DemandsSelectTheAgentAndABusyAgentWaits) {
  Online("capable");
  const int64_t unmet = QueueJob({{"pool", 1}, {"demands", {"tool -equals no"}}})["request_id"];
  EXPECT_EQ(Job(unmet)["state"], "queued");
  const int64_t first = QueueJob({{"pool", 1}, {"demands", {"tool"}}})["request_id"];
  const int64_t second = QueueJob({{"pool", 1}, {"demands", {"TOOL -equals yes"}}})["request_id"];
  EXPECT_EQ(Job(first)["state"], "running");
  EXPECT_EQ(Job(second)["state"], "queued");  // one job at a time per agent
  ASSERT_EQ(Api("PATCH",
                kPool + "/jobrequests/" + std::to_string(first) +
                    "?lockToken=" + "00000000-0000-0000-0000-000000000000",
                token_, {{"requestId", first}, {"result", "succeeded"}})
                .status,
            200);
  EXPECT_EQ(Job(second)["state"], "running");
  EXPECT_EQ(Job(unmet)["state"], "queued");
  Answer all = Control("GET", "/_control/devops/jobs");
  EXPECT_EQ(all.Json()["count"], 3);
}

}  // namespace
}  // namespace agentboot::simdevops_test

// Listener sessions and messages over sockets (agent-contract §3, §9 items 6-7): one session per
// agent, online/offline status, 202 on an empty long poll, and a message that survives the
// concurrent keep-alive poll until it is deleted.
#include <future>

#include "listener_files.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsSessions = ListenerFixture;

const std::string kPool = "/_apis/distributedtask/pools/1";

nlohmann::json SessionBody(const nlohmann::json& agent) {
  return {{"ownerName", "host-a"},
          {"agent", {{"id", agent["id"]}, {"name", agent["name"]}, {"version", "4.260.0"}}},
          {"systemCapabilities", {{"Agent.Name", agent["name"]}, {"tool", "yes"}}}};
}

TEST_F(SimDevOpsSessions, SecondSessionConflictsAndStatusFollowsTheSession) {
  nlohmann::json agent = RegisterAgent(admin_, "solo", KeyA());
  const std::string token = AgentToken(agent, KeyA());
  EXPECT_EQ(AgentState(agent["id"])["status"], "offline");

  Answer first = Api("POST", kPool + "/sessions", token, SessionBody(agent));
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string session_id = first.Json()["sessionId"];
  EXPECT_FALSE(session_id.empty());
  EXPECT_EQ(first.Json()["agent"]["id"], agent["id"]);
  EXPECT_EQ(AgentState(agent["id"])["status"], "online");

  Answer second = Api("POST", kPool + "/sessions", token, SessionBody(agent));
  EXPECT_EQ(second.status, 409);
  EXPECT_EQ(second.Json()["typeKey"], "TaskAgentSessionConflictException");
  EXPECT_TRUE(second.Header("WWW-Authenticate").empty());

  ASSERT_EQ(Api("DELETE", kPool + "/sessions/" + session_id, token).status, 204);
  EXPECT_EQ(AgentState(agent["id"])["status"], "offline");
  EXPECT_EQ(Api("POST", kPool + "/sessions", token, SessionBody(agent)).status, 201);
}

TEST_F(SimDevOpsSessions, SessionsNeedAnAgentTokenAndALiveAgent) {
  nlohmann::json agent = RegisterAgent(admin_, "gone", KeyA());
  ASSERT_EQ(Control("POST", "/_control/devops/settings", {{"keep_deleted_agent_credentials", true}})
                .status,
            200);
  EXPECT_EQ(Api("POST", kPool + "/sessions", admin_, SessionBody(agent)).status, 403);
  const std::string path = kPool + "/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("DELETE", path, admin_).status, 204);
  // With the deleted agent's credentials kept, the token still works and the session says why.
  Answer session = Api("POST", kPool + "/sessions", AgentToken(agent, KeyA()), SessionBody(agent));
  EXPECT_EQ(session.status, 404);
  EXPECT_EQ(session.Json()["typeKey"], "TaskAgentNotFoundException");
}

TEST_F(SimDevOpsSessions, EmptyPollAnswers202AndMessagesStayUntilDeleted) {
  nlohmann::json agent = RegisterAgent(admin_, "poller", KeyA());
  const std::string token = AgentToken(agent, KeyA());
  const std::string session_id =
      Api("POST", kPool + "/sessions", token, SessionBody(agent)).Json()["sessionId"];
  const std::string poll = kPool + "/messages?sessionId=" + session_id;
  Answer empty = Api("GET", poll + "&lastMessageId=0", token);
  EXPECT_EQ(empty.status, 202);
  EXPECT_TRUE(empty.body.empty());

  // The long poll and the keep-alive poll wait together; one message reaches both.
  auto long_poll = std::async(std::launch::async, [&] { return Api("GET", poll, token); });
  auto keep_alive = std::async(std::launch::async, [&] { return Api("GET", poll, token); });
  Answer refresh = Control("POST", "/_control/devops/agent-refresh",
                           {{"agent_id", agent["id"]}, {"target_version", "4.261.0"}});
  ASSERT_EQ(refresh.status, 200) << refresh.body;
  Answer a = long_poll.get();
  Answer b = keep_alive.get();
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(a.Json()["messageId"], refresh.Json()["message_id"]);
  EXPECT_EQ(b.Json()["messageId"], refresh.Json()["message_id"]);
  EXPECT_EQ(a.Json()["messageType"], "AgentRefresh");
  nlohmann::json body = nlohmann::json::parse(a.Json()["body"].get<std::string>());
  EXPECT_EQ(body["targetVersion"], "4.261.0");
  EXPECT_EQ(body["agentId"], agent["id"]);

  // Still there on the next poll, gone once deleted.
  const std::string id = std::to_string(a.Json()["messageId"].get<int64_t>());
  EXPECT_EQ(Api("GET", poll, token).Json()["messageId"], a.Json()["messageId"]);
  ASSERT_EQ(Api("DELETE", kPool + "/messages/" + id + "?sessionId=" + session_id, token).status,
            204);
  EXPECT_EQ(Api("GET", poll, token).status, 202);
}

TEST_F(SimDevOpsSessions, PollOfAClosedSessionIsExpired) {
  nlohmann::json agent = RegisterAgent(admin_, "closed", KeyA());
  const std::string token = AgentToken(agent, KeyA());
  const std::string session_id =
      Api("POST", kPool + "/sessions", token, SessionBody(agent)).Json()["sessionId"];
  ASSERT_EQ(Api("DELETE", kPool + "/sessions/" + session_id, token).status, 204);
  Answer poll = Api("GET", kPool + "/messages?sessionId=" + session_id, token);
  EXPECT_EQ(poll.status, 404);
  EXPECT_EQ(poll.Json()["typeKey"], "TaskAgentSessionExpiredException");
}

}  // namespace
}  // namespace agentboot::simdevops_test

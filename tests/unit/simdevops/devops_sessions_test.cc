#include "devops_sessions.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

namespace agentboot::sim::detail {
namespace {

class SessionBoardTest : public ::testing::Test {
 protected:
  SessionRecord Draft(int64_t agent_id, std::string owner = "host") {
    SessionRecord draft;
    draft.pool_id = 1;
    draft.agent_id = agent_id;
    draft.owner_name = std::move(owner);
    return draft;
  }
  testing::SeededRandom random_;
  SessionBoard board_;
};

TEST_F(SessionBoardTest, SecondSessionOfAnAgentConflictsUntilTheFirstCloses) {
  Result<SessionRecord> first = board_.Open(Draft(7, "host-a"), random_);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->session_id.empty());
  Result<SessionRecord> second = board_.Open(Draft(7, "host-b"), random_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(second.error().detail.find("already has an active session for owner host-a"),
            std::string::npos);
  EXPECT_TRUE(board_.Open(Draft(8), random_));  // another agent is independent
  ASSERT_TRUE(board_.Close(first->session_id));
  EXPECT_FALSE(board_.Close(first->session_id));
  EXPECT_TRUE(board_.Open(Draft(7), random_));
}

TEST_F(SessionBoardTest, MessagesStayQueuedInOrderUntilDeleted) {
  AgentMessage a = board_.Post(1, 7, "AgentRefresh", "{}");
  AgentMessage b = board_.Post(1, 7, "PipelineAgentJobRequest", "{}");
  EXPECT_LT(a.message_id, b.message_id);
  // Reading (as the keep-alive poll does) removes nothing.
  EXPECT_EQ(board_.Peek(1, 7)->message_id, a.message_id);
  EXPECT_EQ(board_.Peek(1, 7)->message_id, a.message_id);
  EXPECT_FALSE(board_.Delete(1, 8, a.message_id));  // not that agent's
  EXPECT_TRUE(board_.Delete(1, 7, a.message_id));
  EXPECT_EQ(board_.Peek(1, 7)->message_id, b.message_id);
  EXPECT_EQ(board_.Messages(1, 7).size(), 1u);
}

TEST_F(SessionBoardTest, WaitReturnsTheOldestMessageOfTheSessionsAgentWithoutRemovingIt) {
  Result<SessionRecord> session = board_.Open(Draft(7), random_);
  ASSERT_TRUE(session);
  EXPECT_FALSE(board_.Wait(session->session_id, Duration(0)));  // nothing queued
  AgentMessage posted = board_.Post(1, 7, "AgentRefresh", R"({"targetVersion":"4.261.0"})");
  std::optional<AgentMessage> first = board_.Wait(session->session_id, Duration(0));
  std::optional<AgentMessage> again = board_.Wait(session->session_id, Duration(0));
  ASSERT_TRUE(first && again);
  EXPECT_EQ(first->message_id, posted.message_id);
  EXPECT_EQ(again->message_id, posted.message_id);
  EXPECT_EQ(first->body, R"({"targetVersion":"4.261.0"})");
  EXPECT_FALSE(board_.Wait("unknown-session", Duration(0)));
}

TEST_F(SessionBoardTest, ForgettingAnAgentDropsItsSessionAndQueue) {
  Result<SessionRecord> session = board_.Open(Draft(7), random_);
  ASSERT_TRUE(session);
  board_.Post(1, 7, "AgentRefresh", "{}");
  board_.ForgetAgent(1, 7);
  EXPECT_FALSE(board_.Find(session->session_id));
  EXPECT_FALSE(board_.FindByAgent(1, 7));
  EXPECT_FALSE(board_.Peek(1, 7));
  EXPECT_TRUE(board_.Sessions().empty());
}

TEST_F(SessionBoardTest, ShutdownMakesWaitsAnswerNothing) {
  Result<SessionRecord> session = board_.Open(Draft(7), random_);
  ASSERT_TRUE(session);
  board_.Shutdown();
  EXPECT_TRUE(board_.shut_down());
  // Would block for an hour without the shutdown.
  EXPECT_FALSE(board_.Wait(session->session_id, std::chrono::hours(1)));
}

}  // namespace
}  // namespace agentboot::sim::detail

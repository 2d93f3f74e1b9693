// The simulator's parts that let it hold a fleet: parked long polls, coalesced state-file saves,
// and the throttle's count of requests sent before a Retry-After had passed.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

#include "coalesced_writer.h"
#include "devops_message_parking.h"
#include "devops_throttle.h"

namespace agentboot::sim::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixSeconds(1'800'000'000);

class MessageParkingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AgentRecord draft;
    draft.pool_id = 1;
    draft.name = "a1";
    agent_ = org_.AddAgent(draft, kT0, [](const std::string&) { return "u"; }).value();
    SessionRecord session;
    session.pool_id = 1;
    session.agent_id = agent_.id;
    session_id_ = board_.Open(session, env_.random).value().session_id;
  }
  testing::FakeEnv env_;
  DevOpsOrg org_{env_.fs, env_.random, "", kT0};
  SessionBoard board_;
  JobDispatcher dispatcher_{org_, board_, env_.random};
  MessageParking parking_{dispatcher_, board_, milliseconds(20)};
  AgentRecord agent_;
  std::string session_id_;
};

TEST_F(MessageParkingTest, AParkedPollWakesForAPostedMessageNotOnATimer) {
  std::optional<AgentMessage> got;
  std::thread poll([&] { got = parking_.Park(session_id_, seconds(30)); });
  while (parking_.parked() == 0) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(parking_.peak_parked(), 1);
  board_.Post(1, agent_.id, "AgentRefresh", "{}");
  poll.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->message_type, "AgentRefresh");
  EXPECT_EQ(parking_.parked(), 0);
}

TEST_F(MessageParkingTest, TheTickerAssignsAJobQueuedWithoutADispatch) {
  std::optional<AgentMessage> got;
  std::thread poll([&] { got = parking_.Park(session_id_, seconds(30)); });
  while (parking_.parked() == 0) std::this_thread::sleep_for(milliseconds(1));
  JobRequestRecord job;
  job.pool_id = 1;
  job.job_id = "job";
  job.queue_time = kT0;
  ASSERT_TRUE(org_.QueueJobRequest(job));  // nothing calls the dispatcher: the ticker must
  poll.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->message_type, kJobRequestMessageType);
}

TEST_F(MessageParkingTest, TimeoutClosedSessionAndStopAnswerNothing) {
  EXPECT_FALSE(parking_.Park(session_id_, milliseconds(30)));
  std::optional<AgentMessage> got = AgentMessage{};
  std::thread poll([&] { got = parking_.Park(session_id_, seconds(30)); });
  while (parking_.parked() == 0) std::this_thread::sleep_for(milliseconds(1));
  ASSERT_TRUE(board_.Close(session_id_));
  poll.join();
  EXPECT_FALSE(got);
  parking_.Stop();
  board_.Shutdown();
  EXPECT_FALSE(parking_.Park(session_id_, seconds(30)));
}

TEST(CoalescedWriter, ABurstOfChangesIsOneSaveAndFlushSavesAtOnce) {
  std::atomic<int> saves{0};
  {
    CoalescedWriter writer([&] { ++saves; }, milliseconds(50));
    for (int i = 0; i < 1000; ++i) writer.Mark();
    for (int i = 0; i < 200 && saves.load() == 0; ++i) std::this_thread::sleep_for(milliseconds(5));
    EXPECT_EQ(saves.load(), 1);
    writer.Flush();  // nothing dirty: no save
    EXPECT_EQ(saves.load(), 1);
    writer.Mark();
    writer.Flush();
    EXPECT_EQ(saves.load(), 2);
    writer.Mark();
  }  // the destructor saves what is pending
  EXPECT_EQ(saves.load(), 3);
}

TEST(CoalescedWriter, TheOrganizationWritesOnFlushAndOnDestruction) {
  testing::FakeEnv env;
  const std::string file = "/state/devops.json";
  {
    DevOpsOrg org(env.fs, env.random, file, kT0);
    org.CoalesceSaves(std::chrono::hours(1));  // only Flush and the destructor write
    org.SetMember("one", true);
    EXPECT_FALSE(env.fs.Exists(file));
    org.FlushSaves();
    ASSERT_TRUE(env.fs.Exists(file));
    EXPECT_EQ(env.fs.ModeOf(file), 0600u);
    org.SetMember("two", true);
  }
  DevOpsOrg reloaded(env.fs, env.random, file, kT0);
  ASSERT_TRUE(reloaded.Load());
  EXPECT_TRUE(reloaded.IsMember("two", false));
}

TEST(TokenBucketThrottle, CountsARequestSentBeforeItsRetryAfterPassed) {
  TokenBucketThrottle throttle;
  throttle.Configure(6, 1, "");  // one token per 10 s
  EXPECT_TRUE(throttle.Take("oid", kT0, "client-a").allowed);
  TokenBucketThrottle::Verdict refused = throttle.Take("oid", kT0, "client-a");
  ASSERT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 10);
  // Another client was never told to wait: not early, only refused.
  EXPECT_FALSE(throttle.Take("oid", kT0 + seconds(1), "client-b").allowed);
  EXPECT_EQ(throttle.counters().early, 0);
  // client-a comes back after 5 of its 10 s.
  EXPECT_FALSE(throttle.Take("oid", kT0 + seconds(5), "client-a").allowed);
  EXPECT_EQ(throttle.counters().early, 1);
  // client-b waits its whole Retry-After (set at +1 s, 10 s): on time.
  EXPECT_TRUE(throttle.Take("oid", kT0 + seconds(25), "client-b").allowed);
  EXPECT_EQ(throttle.counters().early, 1);
  EXPECT_EQ(throttle.counters().refused, 3);
}

}  // namespace
}  // namespace agentboot::sim::detail

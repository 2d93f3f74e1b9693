// A crash (every later write, removal and request fails) at each point of RotateKey, then the
// repair the next run does: the key on disk is always the one the server holds, and no journal
// is left. Also FinishInterruptedRotation on its own, and Register calling it.
#include <ostream>
#include <tuple>

#include "rotation_fixture.h"
#include "test_key.h"

namespace agentboot::agent::testing {
namespace {

struct Scenario {
  const char* name;
  PutFault put;
  int put_status;
  bool gets_fail_after_put;
};

void PrintTo(const Scenario& scenario, std::ostream* out) { *out << scenario.name; }

const Scenario kScenarios[] = {
    {"Applied", PutFault::kNone, 0, false},
    {"Refused", PutFault::kRefuse, 503, false},
    {"AnswerLost", PutFault::kApplyThenLose, 0, false},
    {"AnswerLostAndUnreachable", PutFault::kApplyThenLose, 0, true},
    {"DroppedAndUnreachable", PutFault::kDropUnapplied, 0, true},
};

// (scenario, side effects allowed before the crash). The longest run has 8 side effects, so
// the last crash point is a run that completes.
class RotationCrash : public RotationTest,
                      public ::testing::WithParamInterface<std::tuple<Scenario, int>> {};

TEST_P(RotationCrash, RepairLeavesTheServersKeyOnDiskAndNoJournal) {
  const auto& [scenario, crash_after] = GetParam();
  server_.put_fault = scenario.put;
  server_.put_status = scenario.put_status;
  server_.gets_fail_after_put = scenario.gets_fail_after_put;
  crash_.Arm(crash_after);
  const auto rotated = RotateKey(client(), files_, env_.env);
  // Whenever RotateKey leaves no journal, the listener may start at once: its key must work.
  if (rotated || !HasJournal()) {
    EXPECT_TRUE(DiskMatchesServer());
  }

  crash_.Disarm();
  server_.Heal();
  auto finished = FinishInterruptedRotation(client(), files_, env_.env);
  ASSERT_TRUE(finished) << finished.error().ToString();
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

std::string CrashName(const ::testing::TestParamInfo<std::tuple<Scenario, int>>& param) {
  return std::string(std::get<0>(param.param).name) + "_" +
         std::to_string(std::get<1>(param.param));
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RotationCrash,
                         ::testing::Combine(::testing::ValuesIn(kScenarios),
                                            ::testing::Range(0, 9)),
                         CrashName);

TEST_F(RotationTest, RepairWithoutAJournalSendsNothing) {
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RotationTest, RepairWithAnUnreachableServerChangesNothing) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  server_.down = true;
  const auto before = Snapshot();
  auto finished = FinishInterruptedRotation(client(), files_, env_.env);
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(finished.error().retryable);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RotationTest, RepairRestoresTheJournaledKeyTheServerHolds) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(server_.Holds(TestKey()));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
  EXPECT_EQ(server_.requests().size(), 1U);
  EXPECT_TRUE(env_.log.Contains(KeyFingerprint(TestKey())));
}

TEST_F(RotationTest, RepairKeepsTheNewKeyOnceTheServerHoldsIt) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  server_.Hold(OtherKey());
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(server_.Holds(OtherKey()));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, RepairRefusesWhenTheServerHoldsNoneOfOurKeys) {
  LeaveCrashAfterNewKey(OtherKey(), OtherKey());  // the server holds TestKey
  const auto before = Snapshot();
  auto finished = FinishInterruptedRotation(client(), files_, env_.env);
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(finished.error().advice.empty());
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RotationTest, RepairOfADeletedAgentKeepsTheKeyOnDisk) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  server_.DeleteAgent();
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(PublicKeyJson(*disk), PublicKeyJson(OtherKey()));
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, RepairInterruptedItselfIsRepairedByTheNextOne) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  crash_.Arm(2);  // GET, write the key; the journal's removal crashes
  EXPECT_FALSE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(HasJournal());
  EXPECT_TRUE(DiskMatchesServer());
  crash_.Disarm();
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, RemoveAllRemovesTheJournalBeforeTheSettings) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  ASSERT_TRUE(files_.WriteKeyFile(next_path(), OtherKey()));
  ASSERT_TRUE(files_.RemoveAll());
  EXPECT_FALSE(HasJournal());
  EXPECT_FALSE(files_.IsConfigured());
  EXPECT_TRUE(Snapshot().empty());
}

RegisterOptions HostOptions() {
  RegisterOptions options;
  options.server_url = kOrg;
  options.pool = "Default";
  options.agent_name = "host-1";
  options.agent_version = "4.260.0";
  options.host_name = "host-1";
  return options;
}

TEST_F(RotationTest, RegisterFinishesAnInterruptedRotationFirst) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());
  auto registered = Register(client(), files_, env_.env, HostOptions());
  ASSERT_TRUE(registered) << registered.error().ToString();
  EXPECT_EQ(registered->outcome, RegisterOutcome::kUnchanged);
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
  // Pool, the repair's GET of the agent, then the lookup by name; no PUT, no POST.
  ASSERT_EQ(server_.requests().size(), 3U);
  for (const http::Request& request : server_.requests()) EXPECT_EQ(request.method, "GET");
}

TEST_F(RotationTest, RegisterWithoutAJournalSendsNoExtraRequest) {
  auto registered = Register(client(), files_, env_.env, HostOptions());
  ASSERT_TRUE(registered) << registered.error().ToString();
  EXPECT_EQ(registered->outcome, RegisterOutcome::kUnchanged);
  EXPECT_EQ(server_.requests().size(), 2U);  // pool, agent by name
}

}  // namespace
}  // namespace agentboot::agent::testing

// `agentboot prune` against the simulated organization: only dead agents agentboot created go,
// a dry run changes nothing, every failure mode has its exit code and advice.
#include <iostream>

#include "admin_fixture.h"

namespace agentboot::admin_test {
namespace {

constexpr int64_t kTwoHours = 7200;

class Prune : public AdminFixture {
 protected:
  // One agent of every kind in pool 1 ("Default"); the dead owned ones are "dead-1" and "dead-2".
  void PopulateDefaultPool() {
    AddAgent({"dead-1", "offline", kTwoHours});
    AddAgent({"dead-2", "offline", kTwoHours});
    AddAgent({"alive", "online", kTwoHours});
    AddAgent({"recent", "offline", 60});
    AddAgent({"foreign", "offline", kTwoHours, /*owned=*/false});
    AddAgent({"template", "offline", kTwoHours, true, /*placeholder=*/true});
    AssignJob(AddAgent({"busy", "offline", kTwoHours}));
  }
  RunResult PruneWith(std::vector<std::string> extra) {
    std::vector<std::string> args = {"prune", "--older-than", "1h"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, ImdsEnv());
  }
  void ExpectOnlyDeadAgentsGone() {
    EXPECT_FALSE(Exists("dead-1"));
    EXPECT_FALSE(Exists("dead-2"));
    for (const char* kept : {"alive", "recent", "foreign", "template", "busy"}) {
      EXPECT_TRUE(Exists(kept)) << kept << " must never be pruned";
    }
  }
};

TEST_F(Prune, DryRunShowsWhatWouldGoAndDeletesNothing) {
  PopulateDefaultPool();
  const RunResult run = PruneWith({"--pool", "Default"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_EQ(Occurrences(run.out, "would delete"), 2) << run.out;
  EXPECT_TRUE(Has(run.out, "Dry run")) << run.out;
  for (const char* why : {"not offline", "offline too recently", "not created by agentboot",
                          "placeholder", "job assigned"}) {
    EXPECT_TRUE(Has(run.out, why)) << why << "\n" << run.out;
  }
  for (const char* name : {"dead-1", "dead-2", "alive", "recent", "foreign", "template", "busy"}) {
    EXPECT_TRUE(Exists(name)) << name;
  }
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/1/agents", "DELETE"), 0);
}

TEST_F(Prune, ApplyDeletesOnlyDeadAgentsAgentbootCreatedWithOneAuditLineEach) {
  PopulateDefaultPool();
  const RunResult run = PruneWith({"--pool", "Default", "--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  ExpectOnlyDeadAgentsGone();
  EXPECT_EQ(Occurrences(run.err, "agent deleted"), 2) << run.err;
  EXPECT_TRUE(Has(run.out, "2 deleted")) << run.out;
  // Running again finds nothing more to do.
  const RunResult again = PruneWith({"--pool", "Default", "--apply"});
  ASSERT_EQ(again.exit_code, kOk) << again.err;
  EXPECT_EQ(Occurrences(again.err, "agent deleted"), 0) << again.err;
}

TEST_F(Prune, AgentsAgeOnTheServersClock) {
  AddAgent({"aging", "offline", 0});
  RunResult run = PruneWith({"--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_TRUE(Exists("aging"));
  Control("POST", "/clock", {{"advance_seconds", 3601}});
  run = PruneWith({"--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_FALSE(Exists("aging"));
}

TEST_F(Prune, WithoutPoolScansEveryPoolTheIdentityAdministers) {
  AddAgent({"dead-default", "offline", kTwoHours, true, false, 1});
  AddAgent({"dead-linux", "offline", kTwoHours, true, false, 3});
  Control("POST", "/devops/pool-admins", {{"pool", 3}, {"oid", SystemOid()}, {"admin", false}});
  const RunResult run = PruneWith({"--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_FALSE(Exists("dead-default"));
  EXPECT_TRUE(Exists("dead-linux")) << "a pool the identity does not administer is not scanned";
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/3/agents"), 0);
}

TEST_F(Prune, RepeatedPoolOptionScansEachPool) {
  AddAgent({"dead-default", "offline", kTwoHours, true, false, 1});
  AddAgent({"dead-linux", "offline", kTwoHours, true, false, 3});
  const RunResult run = PruneWith({"--pool", "Default", "--pool", "linux", "--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  EXPECT_FALSE(Exists("dead-default"));
  EXPECT_FALSE(Exists("dead-linux"));
}

TEST_F(Prune, JsonOutputIsOneDocumentForScripts) {
  PopulateDefaultPool();
  const RunResult run = PruneWith({"--pool", "Default", "--output", "json"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  const auto doc = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << run.out;
  EXPECT_TRUE(doc.at("dry_run").get<bool>());
  EXPECT_EQ(doc.at("older_than_seconds"), 3600);
  EXPECT_EQ(doc.at("candidates"), 2);
  EXPECT_EQ(doc.at("agents").size(), 7U);
  for (const auto& agent : doc.at("agents")) {
    const bool dead = agent.at("name").get<std::string>().rfind("dead-", 0) == 0;
    EXPECT_EQ(agent.at("action"), dead ? "would delete" : "keep") << agent.dump();
  }
}

TEST_F(Prune, UnknownPoolListsTheVisibleOnes) {
  const RunResult run = PruneWith({"--pool", "nope"});
  EXPECT_EQ(run.exit_code, kNotFound) << run.err;
  EXPECT_TRUE(Has(run.err, "Default")) << run.err;
}

TEST_F(Prune, IdentityNotInTheOrganizationIsUnauthenticated) {
  AddAgent({"dead-1", "offline", kTwoHours});
  Control("POST", "/devops/members", {{"oid", SystemOid()}, {"member", false}});
  const RunResult run = PruneWith({"--pool", "Default", "--apply"});
  EXPECT_EQ(run.exit_code, kDevOpsUnauthenticated) << run.err;
  EXPECT_TRUE(Exists("dead-1"));
}

TEST_F(Prune, WithoutTheAdministratorRoleNothingIsDeleted) {
  AddAgent({"dead-1", "offline", kTwoHours});
  Control("POST", "/devops/pool-admins", {{"pool", 1}, {"oid", SystemOid()}, {"admin", false}});
  const RunResult run = PruneWith({"--pool", "Default", "--apply"});
  EXPECT_EQ(run.exit_code, kForbidden) << run.err;
  EXPECT_TRUE(Exists("dead-1"));
}

TEST_F(Prune, AServerFailingMidwayStopsTheRun) {
  AddAgent({"dead-1", "offline", kTwoHours});
  AddAgent({"dead-2", "offline", kTwoHours});
  AddAgent({"dead-3", "offline", kTwoHours});
  // The first DELETE passes, the second is refused.
  Control("POST", "/faults",
          {{"method", "DELETE"},
           {"path_prefix", "/sim/_apis/distributedtask/pools/1/agents"},
           {"statuses", {0, 401}}});
  const RunResult run = PruneWith({"--pool", "Default", "--apply"});
  EXPECT_EQ(run.exit_code, kDevOpsUnauthenticated) << run.err;
  EXPECT_TRUE(Has(run.err, "Prune stopped")) << run.err;
  EXPECT_EQ(Occurrences(run.err, "agent deleted"), 1) << run.err;
  EXPECT_TRUE(Has(run.out, "skipped")) << run.out;
  int left = 0;
  for (const char* name : {"dead-1", "dead-2", "dead-3"}) left += Exists(name) ? 1 : 0;
  EXPECT_EQ(left, 2);
}

TEST_F(Prune, BadArgumentsAreUsageErrors) {
  RunResult run = Agentboot({"prune", "--older-than", "soon"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_TRUE(Has(run.err, "45m")) << run.err;
  run = Agentboot(
      {"prune"}, {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", Var("AZURE_POD_IDENTITY_AUTHORITY_HOST")}});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_TRUE(Has(run.err, "AZP_URL")) << run.err;
}

// Measures the Azure DevOps requests prune makes per deleted agent (BENCHMARKS.md).
TEST_F(Prune, RequestsPerPrunedAgent) {
  constexpr int kDead = 20;
  for (int i = 0; i < kDead; ++i) AddAgent({"dead-" + std::to_string(i), "offline", kTwoHours});
  for (int i = 0; i < 5; ++i) AddAgent({"alive-" + std::to_string(i), "online", kTwoHours});
  Control("DELETE", "/requests");
  const RunResult run = PruneWith({"--apply"});
  ASSERT_EQ(run.exit_code, kOk) << run.err;
  const int requests = RequestCount("/sim/_apis/");
  const double per_agent = static_cast<double>(requests) / kDead;
  std::cout << "[ bench    ] prune --apply: " << requests << " Azure DevOps requests for " << kDead
            << " deleted agents = " << per_agent << " per pruned agent\n";
  // One GET (re-check) and one DELETE per agent, plus the server's time (one connectionData),
  // the administered pools and one agent listing per pool (the simulator has 3).
  EXPECT_LE(requests, 2 * kDead + 5);
}

}  // namespace
}  // namespace agentboot::admin_test

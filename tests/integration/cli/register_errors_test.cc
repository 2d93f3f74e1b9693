// Error paths of `agentboot register`: each is a documented exit code with advice.
#include "cli_fixture.h"

namespace agentboot::cli_test {
namespace {

enum { kUsage = 2, kDevOpsUnauthenticated = 5, kForbidden = 6, kNotFound = 7, kTemporary = 9 };

class RegisterErrors : public CliFixture {
 protected:
  RunResult RegisterHost(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"register", "--agent-dir", MakeAgentRoot("a"), "--agent-name",
                                     "host-a"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, ImdsEnv());
  }
  std::string SystemOid() const { return Var("AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"); }
};

TEST_F(RegisterErrors, SignInPageIsAnAuthenticationFailure) {
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask/pools"}, {"statuses", {203}}});
  const RunResult run = RegisterHost();
  EXPECT_EQ(run.exit_code, kDevOpsUnauthenticated) << run.err;
  EXPECT_NE(run.err.find("Basic"), std::string::npos) << "advice names the licence: " << run.err;
}

TEST_F(RegisterErrors, IdentityNotInTheOrganizationIsUnauthenticated) {
  Control("POST", "/devops/members", {{"oid", SystemOid()}, {"member", false}});
  const RunResult run = RegisterHost();
  EXPECT_EQ(run.exit_code, kDevOpsUnauthenticated) << run.err;
  EXPECT_TRUE(AgentsNamed("host-a").empty());
}

TEST_F(RegisterErrors, MissingPoolAdministratorRoleIsForbidden) {
  Control("POST", "/devops/pool-admins", {{"pool", 1}, {"oid", SystemOid()}, {"admin", false}});
  const RunResult run = RegisterHost();
  EXPECT_EQ(run.exit_code, kForbidden) << run.err;
  EXPECT_NE(run.err.find("Administrator"), std::string::npos) << run.err;
}

TEST_F(RegisterErrors, UnknownPoolListsTheVisiblePools) {
  const RunResult run = RegisterHost({"--pool", "gpu"});
  EXPECT_EQ(run.exit_code, kNotFound) << run.err;
  EXPECT_NE(run.err.find("Default"), std::string::npos) << run.err;
}

TEST_F(RegisterErrors, ThrottlingWaitsForRetryAfterAndSucceeds) {
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask/pools"},
           {"statuses", {429}},
           {"headers", {{"Retry-After", "1"}, {"X-RateLimit-Remaining", "0"}}}});
  const RunResult run = RegisterHost();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(AgentsNamed("host-a").size(), 1U);
}

// A 503 that names no wait is retried a bounded number of times (a 503 with Retry-After would be
// honoured for the client's 10-minute throttle budget: client_retry_test.cc covers that).
TEST_F(RegisterErrors, PersistentOutageIsATemporaryFailure) {
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask"},
           {"outage_seconds", 600},
           {"outage_status", 503}});
  const RunResult run = RegisterHost();
  EXPECT_EQ(run.exit_code, kTemporary) << run.err;
}

TEST_F(RegisterErrors, NoUrlIsAUsageError) {
  const RunResult run =
      Agentboot({"register", "--agent-dir", MakeAgentRoot("a"), "--agent-name", "x"},
                {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", Var("AZURE_POD_IDENTITY_AUTHORITY_HOST")}});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("AZP_URL"), std::string::npos) << run.err;
}

TEST_F(RegisterErrors, BadCapabilityIsAUsageError) {
  const RunResult run = RegisterHost({"--capability", "novalue"});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
}

TEST_F(RegisterErrors, AgentDirectoryOfAnotherRegistrationIsAConflict) {
  const std::string root = MakeAgentRoot("b");
  ASSERT_EQ(
      Agentboot({"register", "--agent-dir", root, "--agent-name", "one"}, ImdsEnv()).exit_code, 0);
  const RunResult run =
      Agentboot({"register", "--agent-dir", root, "--agent-name", "two"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, 8) << run.err;
  EXPECT_NE(run.err.find("unregister"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace agentboot::cli_test

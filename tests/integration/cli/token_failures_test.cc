// Failure paths of `agentboot token`: each gives its documented exit code and one actionable
// sentence.
#include "cli_fixture.h"

namespace agentboot::cli_test {
namespace {

enum { kUsage = 2, kUnavailable = 3, kRefused = 4, kTlsUntrusted = 16 };

TEST_F(CliFixture, ImdsUnknownUserAssignedIdentityIsRefused) {
  const RunResult run =
      Agentboot({"token", "--client-id", "99999999-0000-4000-8000-000000000009"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, kRefused) << run.err;
  EXPECT_NE(run.err.find("agentboot: "), std::string::npos);
}

TEST_F(CliFixture, NoIdentityEndpointAnsweringIsUnavailable) {
  // A closed port: the auto chain's probe fails fast, and no Azure CLI is there either.
  const RunResult run = Agentboot({"token", "--az-path", temp_dir_ + "/no-az"},
                                  {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9"}});
  EXPECT_EQ(run.exit_code, kUnavailable) << run.err;
}

TEST_F(CliFixture, ImdsServerErrorsAreRetriedThenSucceed) {
  Control("POST", "/faults", {{"path_prefix", "/metadata/identity"}, {"statuses", {500, 503}}});
  const RunResult run = Agentboot({"token", "--identity", "imds"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(RequestCount("/metadata/identity"), 3);
}

TEST_F(CliFixture, ImdsThrottlingHonoursRetryAfter) {
  Control("POST", "/faults",
          {{"path_prefix", "/metadata/identity"},
           {"statuses", {429}},
           {"headers", {{"Retry-After", "1"}}}});
  const RunResult run = Agentboot({"token", "--identity", "imds"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(RequestCount("/metadata/identity"), 2);
}

TEST_F(CliFixture, AppServiceWithAWrongSecretIsRefused) {
  const RunResult run = Agentboot(
      {"token"}, {{"IDENTITY_ENDPOINT", Var("AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT")},
                  {"IDENTITY_HEADER", "wrong"}});
  EXPECT_EQ(run.exit_code, kRefused) << run.err;
}

TEST_F(CliFixture, ArcKeyFileOutsideTheExpectedDirectoryIsRefusedBeforeReading) {
  const RunResult run =
      Agentboot({"token", "--arc-key-dir", temp_dir_ + "/elsewhere"},
                {{"IDENTITY_ENDPOINT", Var("AGENTBOOT_SIM_ARC_IDENTITY_ENDPOINT")},
                 {"IMDS_ENDPOINT", Var("AGENTBOOT_SIM_ARC_IMDS_ENDPOINT")}});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("key"), std::string::npos) << run.err;
}

TEST_F(CliFixture, WorkloadSubjectMismatchGetsSubjectAdvice) {
  const std::string file = temp_dir_ + "/other-token";
  Control("POST", "/workload-token",
          {{"path", file}, {"subject", "system:serviceaccount:agents:someone-else"}});
  const RunResult run =
      Agentboot({"token", "--ca-file", Var("AGENTBOOT_SIM_CA_FILE")},
                {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID")},
                 {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
                 {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
                 {"AZURE_FEDERATED_TOKEN_FILE", file}});
  EXPECT_EQ(run.exit_code, kRefused) << run.err;
  EXPECT_NE(run.err.find("700213"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("subject"), std::string::npos) << run.err;
}

TEST_F(CliFixture, UntrustedCertificateFailsAtOnceWithCaAdvice) {
  const RunResult run = Agentboot(
      {"token", "--identity", "workload"},
      {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID")},
       {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
       {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
       {"AZURE_FEDERATED_TOKEN_FILE", Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE")}});
  EXPECT_EQ(run.exit_code, kTlsUntrusted) << run.err;
  EXPECT_NE(run.err.find("--ca-file"), std::string::npos) << run.err;
  EXPECT_EQ(RequestCount("/" + Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")), 0);
}

TEST_F(CliFixture, WhitespaceInAConfiguredValueIsAUsageError) {
  const RunResult run = Agentboot(
      {"token", "--identity", "workload", "--ca-file", Var("AGENTBOOT_SIM_CA_FILE")},
      {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID") + " "},
       {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
       {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
       {"AZURE_FEDERATED_TOKEN_FILE", Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE")}});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("AZURE_CLIENT_ID"), std::string::npos) << run.err;
}

TEST_F(CliFixture, AzureCliNotInstalledIsUnavailable) {
  const RunResult run =
      Agentboot({"token", "--identity", "azcli", "--az-path", temp_dir_ + "/no-az"}, {});
  EXPECT_EQ(run.exit_code, kUnavailable) << run.err;
}

TEST_F(CliFixture, UnknownIdentityKindIsAUsageError) {
  const RunResult run = Agentboot({"token", "--identity", "kerberos"}, {});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
}

}  // namespace
}  // namespace agentboot::cli_test

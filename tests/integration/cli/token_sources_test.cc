// `agentboot token` through every identity source against the simulator, over real sockets.
#include "cli_fixture.h"

namespace agentboot::cli_test {
namespace {

using nlohmann::json;

constexpr const char* kDevOps = "499b84ac-1321-427f-aa17-267ca6975798";

class TokenSources : public CliFixture {
 protected:
  // Runs `token -o json` and returns the report; fails the test on a non-zero exit.
  json Report(std::vector<std::string> args, const std::map<std::string, std::string>& env) {
    args.insert(args.begin(), {"token", "-o", "json"});
    const RunResult run = Agentboot(args, env);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return json::parse(run.out, nullptr, false);
  }
  std::map<std::string, std::string> WorkloadEnv(const std::string& token_file) const {
    return {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID")},
            {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
            {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
            {"AZURE_FEDERATED_TOKEN_FILE", token_file}};
  }
};

TEST_F(TokenSources, ImdsSystemAssignedIsPickedByTheAutoChain) {
  const json report = Report({}, ImdsEnv());
  EXPECT_EQ(report["source"], "imds");
  EXPECT_EQ(report["claims"]["aud"], kDevOps);
  EXPECT_EQ(report["claims"]["oid"], Var("AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"));
}

TEST_F(TokenSources, ImdsUserAssignedBySelector) {
  const auto env = ImdsEnv();
  EXPECT_EQ(
      Report({"--client-id", Var("AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID")}, env)["claims"]["oid"],
      Var("AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID"));
  EXPECT_EQ(
      Report({"--object-id", Var("AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID")}, env)["claims"]["appid"],
      Var("AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID"));
  EXPECT_EQ(Report({"--resource-id", Var("AGENTBOOT_SIM_USER_ASSIGNED_RESOURCE_ID")},
                   env)["claims"]["oid"],
            Var("AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID"));
}

TEST_F(TokenSources, AppService2019) {
  const json report =
      Report({}, {{"IDENTITY_ENDPOINT", Var("AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT")},
                  {"IDENTITY_HEADER", Var("AGENTBOOT_SIM_APPSERVICE_IDENTITY_HEADER")}});
  EXPECT_EQ(report["source"], "appservice");
  EXPECT_EQ(report["claims"]["aud"], kDevOps);
}

TEST_F(TokenSources, AppServiceLegacy2017) {
  const json report = Report({"--identity", "appservice"},
                             {{"MSI_ENDPOINT", Var("AGENTBOOT_SIM_APPSERVICE2017_MSI_ENDPOINT")},
                              {"MSI_SECRET", Var("AGENTBOOT_SIM_APPSERVICE2017_MSI_SECRET")}});
  EXPECT_EQ(report["claims"]["aud"], kDevOps);
}

TEST_F(TokenSources, CloudShell) {
  const json report = Report({}, {{"MSI_ENDPOINT", Var("AGENTBOOT_SIM_CLOUDSHELL_MSI_ENDPOINT")}});
  EXPECT_EQ(report["source"], "cloudshell");
  EXPECT_EQ(report["claims"]["aud"], kDevOps);
}

TEST_F(TokenSources, ArcChallengeWithKeyFileInTheConfiguredDirectory) {
  const json report = Report({"--arc-key-dir", Var("AGENTBOOT_SIM_ARC_KEY_DIR")},
                             {{"IDENTITY_ENDPOINT", Var("AGENTBOOT_SIM_ARC_IDENTITY_ENDPOINT")},
                              {"IMDS_ENDPOINT", Var("AGENTBOOT_SIM_ARC_IMDS_ENDPOINT")}});
  EXPECT_EQ(report["source"], "arc");
  EXPECT_EQ(report["claims"]["aud"], kDevOps);
}

TEST_F(TokenSources, WorkloadIdentityOverTlsRereadsTheRotatedFile) {
  const std::string file = Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE");
  const json report = Report({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file));
  EXPECT_EQ(report["source"], "workload");
  EXPECT_EQ(report["claims"]["oid"], Var("AGENTBOOT_SIM_WORKLOAD_OBJECT_ID"));
  // kubelet-style rotation: a new projected token at the same path is used by the next run.
  Control("POST", "/workload-token", {{"path", file}});
  EXPECT_EQ(Report({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file))["source"],
            "workload");
}

TEST_F(TokenSources, AzureCliThroughItsJsonOutput) {
  const std::string az = temp_dir_ + "/az";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(
      az,
      "#!/bin/sh\n"
      "echo '{\"accessToken\":\"not-a-jwt\",\"expires_on\":4102444800,"
      "\"expiresOn\":\"2100-01-01 00:00:00.000000\",\"tenant\":\"t\",\"tokenType\":\"Bearer\"}'\n",
      0755));
  const json report = Report({"--identity", "azcli", "--az-path", az}, {});
  EXPECT_EQ(report["source"], "azcli");
  EXPECT_EQ(report["expires_on"], "2100-01-01T00:00:00Z");
}

TEST_F(TokenSources, PatOnlyWhenAskedForAndWithAWarning) {
  const RunResult run = Agentboot({"token", "--identity", "pat"}, {{"AZP_TOKEN", "pat-value-123"}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("warning"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("pat-value-123"), std::string::npos) << "the PAT must never be printed";
}

TEST_F(TokenSources, TheTokenIsPrintedOnlyWithRaw) {
  const RunResult raw = Agentboot({"token", "--raw"}, ImdsEnv());
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  const std::string token = Trim(raw.out);
  ASSERT_GT(token.size(), 100U);
  const RunResult text = Agentboot({"token", "-v"}, ImdsEnv());
  ASSERT_EQ(text.exit_code, 0);
  // Tokens are freshly issued per run, so check the shared header and signature shape instead of
  // equality: no JWT-looking string (header.payload.signature) appears in the report or the logs.
  const std::string header = token.substr(0, token.find('.'));
  EXPECT_EQ(text.out.find(header), std::string::npos);
  EXPECT_EQ(text.err.find(header), std::string::npos);
}

}  // namespace
}  // namespace agentboot::cli_test

// `agentboot doctor` against the simulator: a healthy host passes; every failure it names is
// reproduced (simulator switches where needed) and reported in its row with what to do.
#include <filesystem>
#include <fstream>

#include "admin_fixture.h"

namespace agentboot::admin_test {
namespace {

constexpr int kChecksFailed = 30;

class Doctor : public AdminFixture {
 protected:
  void SetUp() override {
    AdminFixture::SetUp();
    std::filesystem::create_directories(temp_dir_ + "/agent");
  }
  std::vector<std::string> Args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"doctor", "--output", "json", "--cache-dir",
                                     temp_dir_ + "/cache"};
    bool has_agent_dir = false;
    for (const std::string& arg : extra) has_agent_dir = has_agent_dir || arg == "--agent-dir";
    if (!has_agent_dir) args.insert(args.end(), {"--agent-dir", temp_dir_ + "/agent"});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // Runs doctor and returns the parsed report (checks by name) and the exit code.
  nlohmann::json Run(std::vector<std::string> extra = {},
                     std::optional<std::map<std::string, std::string>> env = std::nullopt,
                     std::vector<std::string> global = {}) {
    std::vector<std::string> args = global;
    for (const std::string& arg : Args(std::move(extra))) args.push_back(arg);
    last_ = Agentboot(args, env ? *env : ImdsEnv());
    const auto doc = nlohmann::json::parse(last_.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << last_.out << last_.err;
    nlohmann::json by_name = nlohmann::json::object();
    if (doc.is_object()) {
      for (const auto& check : doc.at("checks"))
        by_name[check.at("check").get<std::string>()] = check;
    }
    return by_name;
  }
  std::map<std::string, std::string> WorkloadEnv(const std::string& token_file) const {
    return {{"AZURE_CLIENT_ID", Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID")},
            {"AZURE_TENANT_ID", Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID")},
            {"AZURE_AUTHORITY_HOST", Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST")},
            {"AZURE_FEDERATED_TOKEN_FILE", token_file},
            {"AZP_URL", Var("AZP_URL")}};
  }
  static std::string Outcome(const nlohmann::json& checks, const char* name) {
    return checks.contains(name) ? checks.at(name).value("outcome", "") : "missing";
  }
  static std::string Text(const nlohmann::json& checks, const char* name) {
    return checks.contains(name) ? checks.at(name).dump() : "";
  }
  RunResult last_;
};

TEST_F(Doctor, AHealthyHostPassesEveryCheck) {
  const auto checks = Run();
  EXPECT_EQ(last_.exit_code, kOk) << last_.out << last_.err;
  for (const char* name : {"identity source", "token", "organization access", "clock skew", "pool",
                           "proxy and CA", "agent directory", "package cache", "disk space"}) {
    EXPECT_EQ(Outcome(checks, name), "ok") << Text(checks, name);
  }
  EXPECT_TRUE(Has(Text(checks, "identity source"), "imds")) << Text(checks, "identity source");
  EXPECT_TRUE(Has(Text(checks, "token"), SystemOid())) << "claims are shown";
  EXPECT_TRUE(Has(Text(checks, "pool"), "Administrator"));
}

TEST_F(Doctor, TheTableIsForPeople) {
  const RunResult run = Agentboot(
      {"doctor", "--agent-dir", temp_dir_ + "/agent", "--cache-dir", temp_dir_ + "/cache"},
      ImdsEnv());
  EXPECT_EQ(run.exit_code, kOk) << run.out << run.err;
  EXPECT_TRUE(Has(run.out, "CHECK")) << run.out;
  EXPECT_TRUE(Has(run.out, "TO DO")) << run.out;
  EXPECT_TRUE(Has(run.out, "All checks passed.")) << run.out;
}

TEST_F(Doctor, AnAnonymousCallerMeansNoLicenceOrNotAMember) {
  Control("POST", "/devops/anonymous", {{"oid", SystemOid()}});
  const auto checks = Run();
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "organization access"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "organization access"), "Anonymous"));
  EXPECT_TRUE(Has(Text(checks, "organization access"), "Basic licence"));
}

TEST_F(Doctor, AnIdentityNotInTheOrganizationIsRefused) {
  Control("POST", "/devops/members", {{"oid", SystemOid()}, {"member", false}});
  const auto checks = Run();
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "organization access"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "organization access"), "Organization settings"));
  EXPECT_EQ(Outcome(checks, "pool"), "skip");
}

TEST_F(Doctor, WithoutTheAdministratorRoleThePoolCheckFails) {
  Control("POST", "/devops/pool-admins", {{"pool", 1}, {"oid", SystemOid()}, {"admin", false}});
  const auto checks = Run();
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "pool"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "pool"), "linux")) << "names the pools it does administer";
  EXPECT_TRUE(Has(Text(checks, "pool"), "Security"));
}

TEST_F(Doctor, AnUnknownPoolListsTheVisibleOnes) {
  const auto checks = Run({"--pool", "nope"});
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "pool"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "pool"), "Default"));
}

TEST_F(Doctor, ASkewedServerClockIsReported) {
  Control("POST", "/clock", {{"advance_seconds", 900}});
  const auto checks = Run();
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "clock skew"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "clock skew"), "behind")) << Text(checks, "clock skew");
  EXPECT_TRUE(Has(Text(checks, "clock skew"), "chrony"));
}

TEST_F(Doctor, AForcedSourceWithoutItsVariablesFails) {
  const auto checks = Run({}, ImdsEnv(), {"--identity", "workload"});
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "identity source"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "identity source"), "AZURE_FEDERATED_TOKEN_FILE"));
  EXPECT_EQ(Outcome(checks, "token"), "FAIL");
}

TEST_F(Doctor, AWorkloadTokenWithTheWrongAudienceIsNamed) {
  const std::string file = temp_dir_ + "/wrong-aud.jwt";
  Control("POST", "/workload-token", {{"path", file}, {"audience", "https://kubernetes.default"}});
  const auto checks = Run({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file));
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "workload token file"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "workload token file"), "api://AzureADTokenExchange"));
}

TEST_F(Doctor, AWorkloadSubjectWithATrailingSpaceIsNamed) {
  const std::string file = temp_dir_ + "/space.jwt";
  Control("POST", "/workload-token",
          {{"path", file}, {"subject", "system:serviceaccount:agents:agentboot "}});
  const auto checks = Run({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file));
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "workload token file"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "workload token file"), "whitespace"));
  EXPECT_EQ(Outcome(checks, "token"), "FAIL") << "Entra refuses the mismatched subject too";
}

TEST_F(Doctor, AnIssuerThatDiffersByATrailingSlashIsNamed) {
  const std::string file = temp_dir_ + "/slash.jwt";
  Control("POST", "/workload-token",
          {{"path", file}, {"issuer", Var("AGENTBOOT_SIM_OIDC_ISSUER") + "/"}});
  const auto checks = Run({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file));
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "token"), "FAIL") << Text(checks, "token");
  EXPECT_TRUE(Has(Text(checks, "workload token file"), "ends with '/'"))
      << Text(checks, "workload token file");
}

TEST_F(Doctor, AGoodWorkloadTokenPasses) {
  const std::string file = Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE");
  Control("POST", "/devops/members",
          {{"oid", Var("AGENTBOOT_SIM_WORKLOAD_OBJECT_ID")}, {"member", true}});
  const auto checks = Run({"--ca-file", Var("AGENTBOOT_SIM_CA_FILE")}, WorkloadEnv(file));
  EXPECT_EQ(Outcome(checks, "workload token file"), "ok") << Text(checks, "workload token file");
  EXPECT_EQ(Outcome(checks, "token"), "ok") << Text(checks, "token");
}

TEST_F(Doctor, LocalProblemsAreNamed) {
  const std::string file = temp_dir_ + "/plain-file";
  std::ofstream(file) << "x";
  const auto checks = Run({"--agent-dir", file + "/agent", "--run-as", "ab_admin_nosuchuser"},
                          ImdsEnv(), {"--ca-file", temp_dir_ + "/missing-ca.pem"});
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "agent directory"), "FAIL") << Text(checks, "agent directory");
  EXPECT_EQ(Outcome(checks, "--run-as user"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "--run-as user"), "useradd"));
  EXPECT_EQ(Outcome(checks, "proxy and CA"), "FAIL");
}

TEST_F(Doctor, TheProxyInUseIsShownWithoutItsPassword) {
  auto env = ImdsEnv();
  env["HTTPS_PROXY"] = "http://user:hunter2@127.0.0.1:9";
  env["NO_PROXY"] = "127.0.0.1,localhost";
  const auto checks = Run({}, env);
  EXPECT_TRUE(Has(Text(checks, "proxy and CA"), "127.0.0.1:9")) << Text(checks, "proxy and CA");
  EXPECT_FALSE(Has(last_.out + last_.err, "hunter2"));
}

TEST_F(Doctor, ARegisteredAgentIsCheckedOnTheServer) {
  const std::string root = MakeAgentRoot("agent-root");
  ASSERT_EQ(
      Agentboot({"register", "--agent-dir", root, "--agent-name", "host-d"}, ImdsEnv()).exit_code,
      kOk);
  auto checks = Run({"--agent-dir", root});
  EXPECT_EQ(Outcome(checks, "registered agent"), "warn") << Text(checks, "registered agent");
  EXPECT_TRUE(Has(Text(checks, "registered agent"), "offline"));
  EXPECT_EQ(last_.exit_code, kOk) << "a warning does not fail: " << last_.out;
  ASSERT_EQ(Agentboot({"unregister", "--agent-name", "host-d", "--agent-dir", temp_dir_ + "/none"},
                      ImdsEnv())
                .exit_code,
            kOk);
  checks = Run({"--agent-dir", root});
  EXPECT_EQ(last_.exit_code, kChecksFailed);
  EXPECT_EQ(Outcome(checks, "registered agent"), "FAIL");
  EXPECT_TRUE(Has(Text(checks, "registered agent"), "gone on the server"));
}

}  // namespace
}  // namespace agentboot::admin_test

// What a new user hits in the first hour (issue 15): each failure has its documented exit code, a
// line saying what failed and a sentence saying what to do; input is checked before any network
// call; the command line helps with a mistyped command.
#include <filesystem>
#include <fstream>

#include "run_fixture.h"

namespace agentboot::cli_test {
namespace {

enum {
  kUsage = 2,
  kUnavailable = 3,
  kLocal = 15,
  kTlsUntrusted = 16,
  kServerError = 17,
};

class FirstContact : public RunCommand {
 protected:
  RunResult RegisterHost(const std::map<std::string, std::string>& env,
                         std::vector<std::string> extra = {}) {
    if (!std::filesystem::exists(temp_dir_ + "/a")) MakeAgentRoot("a");
    std::vector<std::string> args = {"register", "--agent-dir", temp_dir_ + "/a", "--agent-name",
                                     "host-a"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, env);
  }
  std::map<std::string, std::string> ImdsEnvWith(const std::string& key, const std::string& value) {
    auto env = ImdsEnv();
    env[key] = value;
    return env;
  }
  // agentboot started in `cwd`.
  RunResult AgentbootIn(const std::string& cwd, const std::vector<std::string>& args) const {
    ProcessSpec spec;
    spec.argv = {AGENTBOOT_BIN};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", temp_dir_}};
    for (const auto& [key, value] : ImdsEnv()) spec.env[key] = value;
    spec.timeout = std::chrono::seconds(120);
    spec.working_directory = cwd;
    auto output = PosixProcessRunner().Run(spec);
    EXPECT_TRUE(output) << output.error().ToString();
    if (!output) return {};
    return RunResult{output->exit_code, output->stdout_text, output->stderr_text};
  }
  static size_t Count(const std::string& text, const std::string& what) {
    size_t count = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
      ++count;
    }
    return count;
  }
  int TokenRequests() const { return RequestCount("/metadata/identity"); }
};

// Item 1: the listener starts in the agent directory; a relative --agent-dir must still work.
TEST_F(FirstContact, RelativeAgentDirRunsTheListener) {
  QueueJob("succeeded");
  const RunResult run =
      AgentbootIn(temp_dir_, {"run", "--once", "--agent-dir", "rel/host", "--agent-name", "rel",
                              "--cache-dir", "cache", "--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(temp_dir_ + "/cache"));
  EXPECT_TRUE(AgentsNamed("rel").empty());
}

// Item 5 / L13: URLs are checked and normalised before any network call.
TEST_F(FirstContact, UrlWithWhitespaceIsRefusedBeforeAnyRequest) {
  const RunResult run = RegisterHost(ImdsEnvWith("AZP_URL", Var("AZP_URL") + " x"));
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("whitespace"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("agentboot: Give the organization URL"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("illegal"), std::string::npos) << "no raw libcurl text: " << run.err;
  EXPECT_EQ(TokenRequests(), 0);
}

TEST_F(FirstContact, UrlWithoutSchemeOrWithAPasswordIsRefused) {
  for (const std::string url : {"dev.azure.com/contoso", "ftp://dev.azure.com/contoso",
                                "https://me:secret@dev.azure.com/contoso"}) {
    const RunResult run = RegisterHost(ImdsEnvWith("AZP_URL", url));
    EXPECT_EQ(run.exit_code, kUsage) << url << "\n" << run.err;
    EXPECT_NE(run.err.find("https://dev.azure.com/contoso"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("secret"), std::string::npos) << "the password is not echoed";
  }
  EXPECT_EQ(TokenRequests(), 0);
  EXPECT_TRUE(AgentsNamed("host-a").empty());
}

TEST_F(FirstContact, UrlTrailingSlashIsNormalised) {
  const RunResult run = RegisterHost(ImdsEnvWith("AZP_URL", Var("AZP_URL") + "/"),
                                     {"--agent-version", FAKE_AGENT_VERSION});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string settings = ReadFile(temp_dir_ + "/a/.agent");
  EXPECT_NE(settings.find("\"" + Var("AZP_URL") + "\""), std::string::npos) << settings;
}

TEST_F(FirstContact, WrongOrganizationSaysToCheckTheUrl) {
  const RunResult run = RegisterHost(ImdsEnvWith("AZP_URL", Var("AGENTBOOT_SIM_HTTP") + "/nosuch"),
                                     {"--agent-version", FAKE_AGENT_VERSION});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.exit_code, 1) << "not an internal error: " << run.err;
  EXPECT_NE(run.err.find("--url/AZP_URL"), std::string::npos) << run.err;
}

TEST_F(FirstContact, AgentNameWithANewlineIsRefused) {
  const RunResult run = Agentboot(
      {"register", "--agent-dir", MakeAgentRoot("a"), "--agent-name", "host\n"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("control character"), std::string::npos) << run.err;
  EXPECT_EQ(TokenRequests(), 0);
}

// Item 4 / L13: local failures have their own code and advice.
TEST_F(FirstContact, AgentDirUnderAFileIsALocalFailure) {
  std::ofstream(temp_dir_ + "/file") << "x";
  QueueJob("succeeded");
  const RunResult run = Agentboot({"run", "--once", "--agent-dir", temp_dir_ + "/file/agent",
                                   "--agent-name", "f", "--agent-version", FAKE_AGENT_VERSION},
                                  ImdsEnv());
  EXPECT_EQ(run.exit_code, kLocal) << run.err;
  EXPECT_NE(run.err.find("agentboot: A part of the path is a file"), std::string::npos) << run.err;
}

TEST_F(FirstContact, TooLongAPathIsALocalFailure) {
  const std::string dir = temp_dir_ + "/" + std::string(300, 'd');
  const RunResult run = Agentboot({"run", "--once", "--agent-dir", dir, "--agent-name", "long",
                                   "--agent-version", FAKE_AGENT_VERSION},
                                  ImdsEnv());
  EXPECT_EQ(run.exit_code, kLocal) << run.err;
  EXPECT_NE(run.err.find("Use a shorter path"), std::string::npos) << run.err;
}

TEST_F(FirstContact, MissingTokenFileIsALocalFailure) {
  const RunResult run =
      Agentboot({"token", "--identity", "pat"}, {{"AZP_TOKEN_FILE", temp_dir_ + "/no-such-file"}});
  EXPECT_EQ(run.exit_code, kLocal) << run.err;
  EXPECT_NE(run.err.find("agentboot: Check that AZP_TOKEN_FILE"), std::string::npos) << run.err;
}

// Item 4 / L13: server failures and redirects are not "internal errors".
TEST_F(FirstContact, ServerErrorHasItsOwnCodeAndAdvice) {
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask/pools"}, {"statuses", {500}}});
  const RunResult run = RegisterHost(ImdsEnv(), {"--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, kServerError) << run.err;
  EXPECT_NE(run.err.find("try again later"), std::string::npos) << run.err;
}

TEST_F(FirstContact, RedirectNamesTheUrl) {
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask/pools"},
           {"statuses", {302}},
           {"headers", {{"Location", "https://login.example/"}}}});
  const RunResult run = RegisterHost(ImdsEnv(), {"--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, kServerError) << run.err;
  EXPECT_NE(run.err.find("--url/AZP_URL"), std::string::npos) << run.err;
}

TEST_F(FirstContact, UntrustedOrganizationCertificateIsATlsFailure) {
  const RunResult run = RegisterHost(ImdsEnvWith("AZP_URL", Var("AGENTBOOT_SIM_AZP_URL_TLS")),
                                     {"--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, kTlsUntrusted) << run.err;
  EXPECT_NE(run.err.find("--ca-file"), std::string::npos) << run.err;
}

// Item 6: a configured source's failure is the answer; in auto, every source tried is named.
TEST_F(FirstContact, ConfiguredWorkloadIdentityFailureIsTheAnswer) {
  auto env = ImdsEnv();
  env["AZURE_CLIENT_ID"] = Var("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID");
  env["AZURE_TENANT_ID"] = Var("AGENTBOOT_SIM_WORKLOAD_TENANT_ID");
  env["AZURE_AUTHORITY_HOST"] = Var("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST");  // no --ca-file
  env["AZURE_FEDERATED_TOKEN_FILE"] = Var("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE");
  const RunResult run = Agentboot({"token"}, env);
  EXPECT_EQ(run.exit_code, kTlsUntrusted) << run.err;
  EXPECT_NE(run.err.find("identity/workload"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--ca-file"), std::string::npos) << run.err;
  EXPECT_EQ(TokenRequests(), 0) << "IMDS must not be asked once workload is configured";
}

TEST_F(FirstContact, AzureCliNotLoggedInOffAzureListsEverySourceTried) {
  const std::string az = temp_dir_ + "/az";
  std::ofstream(az) << "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\n"
                       "exit 1\n";
  std::filesystem::permissions(az, std::filesystem::perms::owner_all);
  const RunResult run = Agentboot({"token", "--az-path", az},
                                  {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9"}});
  EXPECT_EQ(run.exit_code, kUnavailable) << run.err;
  for (const char* source : {"workload:", "appservice:", "imds:", "azcli: the Azure CLI is not"}) {
    EXPECT_NE(run.err.find(source), std::string::npos) << source << "\n" << run.err;
  }
  EXPECT_NE(run.err.find("agentboot: No identity found"), std::string::npos) << run.err;
}

// Item 2: start.sh's variables are said to be ignored, with the way to use them.
TEST_F(FirstContact, AzpTokenIsSaidToBeIgnoredInAuto) {
  const RunResult run = Agentboot({"token"}, ImdsEnvWith("AZP_TOKEN", "a-pat-value"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("AZP_TOKEN is set and ignored"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--identity pat"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("a-pat-value"), std::string::npos);
}

// Item 12: a PAT has no made-up expiry.
TEST_F(FirstContact, PatTokenShowsNoInventedExpiry) {
  const RunResult run = Agentboot({"token", "--identity", "pat"}, {{"AZP_TOKEN", "a-pat-value"}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("expires_on: unknown"), std::string::npos) << run.out;
}

// Item 8: register without an unpacked agent names the directory and --agent-version.
TEST_F(FirstContact, RegisterWithoutAListenerAsksForItsVersion) {
  const std::string dir = temp_dir_ + "/empty";
  const RunResult run = Agentboot({"register", "--agent-dir", dir, "--agent-name", "e"}, ImdsEnv());
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("--agent-version 4.260.0"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(dir), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("<agent-dir>"), std::string::npos) << run.err;
}

// Item 12: the 401 advice is an instruction, TF401444 is said once, hosted pools are not offered.
TEST_F(FirstContact, NotAMemberAdviceIsAnInstructionSaidOnce) {
  Control("POST", "/devops/members",
          {{"oid", Var("AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID")}, {"member", false}});
  const RunResult run = RegisterHost(ImdsEnv(), {"--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, 5) << run.err;
  EXPECT_NE(run.err.find("agentboot: Add the identity to the organization"), std::string::npos)
      << run.err;
  EXPECT_EQ(Count(run.err, "TF401444"), 1U) << run.err;
}

TEST_F(FirstContact, UnknownPoolOffersOnlySelfHostedPools) {
  const RunResult run =
      RegisterHost(ImdsEnv(), {"--pool", "gpu", "--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(run.exit_code, 7) << run.err;
  EXPECT_NE(run.err.find("Default"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("Azure Pipelines"), std::string::npos) << run.err;
}

// Item 10: unregister says the truth.
TEST_F(FirstContact, UnregisterByNameWithoutUrlIsAUsageError) {
  const RunResult run =
      Agentboot({"unregister", "--agent-dir", temp_dir_ + "/none", "--agent-name", "x"},
                {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", Var("AZURE_POD_IDENTITY_AUTHORITY_HOST")}});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("agentboot: Pass --url"), std::string::npos) << run.err;
}

TEST_F(FirstContact, UnregisterLeavesAnAgentAnotherHostTookOver) {
  const std::string stale = MakeAgentRoot("stale");
  const std::string other = MakeAgentRoot("other");
  ASSERT_EQ(
      Agentboot({"register", "--agent-dir", stale, "--agent-name", "shared"}, ImdsEnv()).exit_code,
      0);
  const RunResult takeover = Agentboot(
      {"register", "--agent-dir", other, "--agent-name", "shared", "--replace"}, ImdsEnv());
  ASSERT_EQ(takeover.exit_code, 0) << takeover.err;
  const RunResult run = Agentboot({"unregister", "--agent-dir", stale}, ImdsEnv());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("not deleted: another host took it over"), std::string::npos) << run.out;
  EXPECT_EQ(AgentsNamed("shared").size(), 1U) << "the other host's agent stays";
  EXPECT_EQ(ListenerCheck(other), 0) << "and it still works";
  EXPECT_FALSE(std::filesystem::exists(stale + "/.credentials_rsaparams"));
}

// Item 12: the command line itself.
TEST_F(FirstContact, MistypedCommandSuggestsTheClosest) {
  const RunResult run = Agentboot({"regster", "--pool", "x"});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("agentboot: unknown command 'regster'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Did you mean `agentboot register`?"), std::string::npos) << run.err;
}

TEST_F(FirstContact, BareAgentbootListsTheCommands) {
  const RunResult run = Agentboot({"--verbose"});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_NE(run.err.find("token, register, unregister, run, drain, rotate"), std::string::npos)
      << run.err;
}

TEST_F(FirstContact, ParseErrorsCarryThePrefixAndAdvice) {
  const RunResult run = Agentboot({"register", "--no-such-flag"});
  EXPECT_EQ(run.exit_code, kUsage) << run.err;
  EXPECT_EQ(run.err.rfind("agentboot: ", 0), 0U) << run.err;
  EXPECT_NE(run.err.find("--help"), std::string::npos) << run.err;
}

TEST_F(FirstContact, VersionNamesCommitAndBuildType) {
  const RunResult run = Agentboot({"--version"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("agentboot 0.1.0 (commit ", 0), 0U) << run.out;
  EXPECT_NE(run.out.find(" build)"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace agentboot::cli_test

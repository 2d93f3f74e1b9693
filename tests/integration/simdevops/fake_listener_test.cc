// The fake Agent.Listener reads hand-written agent files (agent-contract §2) and completes the
// runtime OAuth flow against the simulator.
#include <filesystem>
#include <fstream>

#include "listener_files.h"
#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsFakeListener = SimFixture;

ProcessOutput RunListener(const std::string& root, std::vector<std::string> args) {
  InstallListener(root, FAKE_AGENT_LISTENER);
  ProcessSpec spec;
  spec.argv = {root + "/bin/Agent.Listener"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = std::chrono::seconds(60);
  Result<ProcessOutput> output = PosixProcessRunner().Run(spec);
  EXPECT_TRUE(output) << output.error().ToString();
  return output.value_or(ProcessOutput{});
}

TEST_F(SimDevOpsFakeListener, HandWrittenFilesCompleteTheOAuthFlow) {
  nlohmann::json agent = RegisterAgent(ImdsToken(), "listener", KeyA());
  const std::string root = temp_dir_ + "/agent";
  std::filesystem::create_directories(root);
  WriteAgentFiles(root, agent, Org(), KeyA());
  ProcessOutput output = RunListener(root, {"run", "--check"});
  EXPECT_EQ(output.exit_code, 0) << output.stderr_text;
  EXPECT_NE(output.stdout_text.find("Listening for Jobs"), std::string::npos);
  Answer log = Control("GET", "/_control/requests?path_prefix=/sim/_apis/oauth2/token");
  ASSERT_GE(log.Json()["count"].get<int>(), 1);
  EXPECT_EQ(log.Json()["requests"][0]["status"], 200);
  EXPECT_EQ(log.Json()["requests"][0]["identity"], agent["authorization"]["clientId"]);
}

TEST_F(SimDevOpsFakeListener, VersionAndStrictFileChecks) {
  const std::string root = temp_dir_ + "/agent";
  std::filesystem::create_directories(root);
  ProcessOutput version = RunListener(root, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(Trim(version.stdout_text), "4.260.0");
  EXPECT_EQ(RunListener(root, {"run", "--check"}).exit_code, 1);  // not configured

  nlohmann::json agent = RegisterAgent(ImdsToken(), "strict", KeyA());
  WriteAgentFiles(root, agent, Org(), KeyA());
  jose::RsaComponents c = KeyA().Components();
  nlohmann::json unpadded = {{"d", jose::Base64Encode(jose::Bytes(c.d.begin() + 1, c.d.end()))},
                             {"dp", jose::Base64Encode(c.dp)},
                             {"dq", jose::Base64Encode(c.dq)},
                             {"exponent", jose::Base64Encode(c.e)},
                             {"inverseQ", jose::Base64Encode(c.qi)},
                             {"modulus", jose::Base64Encode(c.n)},
                             {"p", jose::Base64Encode(c.p)},
                             {"q", jose::Base64Encode(c.q)}};
  std::ofstream(root + "/.credentials_rsaparams", std::ios::binary)
      << "\xEF\xBB\xBF" << unpadded.dump(2);
  ProcessOutput bad = RunListener(root, {"run", "--check"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_text.find("CryptographicException"), std::string::npos);
}

TEST_F(SimDevOpsFakeListener, ReplacedKeyMakesTheOldFilesFail) {
  const std::string admin = ImdsToken();
  nlohmann::json agent = RegisterAgent(admin, "stale", KeyA());
  const std::string root = temp_dir_ + "/agent";
  std::filesystem::create_directories(root);
  WriteAgentFiles(root, agent, Org(), KeyA());
  nlohmann::json replaced = agent;
  replaced["authorization"] = {{"publicKey", PublicKeyJson(KeyB())}};
  ASSERT_EQ(
      Api("PUT",
          "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>()),
          admin, replaced)
          .status,
      200);
  ProcessOutput output = RunListener(root, {"run", "--check"});
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_NE(output.stderr_text.find("VssOAuthTokenRequestException"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::simdevops_test

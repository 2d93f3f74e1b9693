// The fake Agent.Listener reads hand-written agent files (agent-contract §2) and completes the
// runtime OAuth flow against the simulator.
#include <filesystem>
#include <fstream>

#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsFakeListener = SimFixture;

std::string Padded(jose::Bytes bytes, size_t size) {
  if (bytes.size() < size) bytes.insert(bytes.begin(), size - bytes.size(), 0);
  return jose::Base64Encode(bytes);
}

void WriteBomJson(const std::string& path, const nlohmann::json& value) {
  std::ofstream(path, std::ios::binary) << "\xEF\xBB\xBF" << value.dump(2);
}

// The three files as the real configure step writes them.
void WriteAgentFiles(const std::string& root, const nlohmann::json& agent,
                     const std::string& server_url, const jose::RsaKey& key) {
  WriteBomJson(root + "/.agent", {{"agentId", agent["id"]},
                                  {"agentName", agent["name"]},
                                  {"poolId", 1},
                                  {"poolName", "Default"},
                                  {"serverUrl", server_url},
                                  {"workFolder", "_work"}});
  const std::string url = agent["authorization"]["authorizationUrl"];
  WriteBomJson(root + "/.credentials", {{"scheme", "OAuth"},
                                        {"data",
                                         {{"clientId", agent["authorization"]["clientId"]},
                                          {"authorizationUrl", url},
                                          {"oauthEndpointUrl", url}}}});
  jose::RsaComponents c = key.Components();
  const size_t half = (c.n.size() + 1) / 2;
  WriteBomJson(root + "/.credentials_rsaparams", {{"ContainerName", ""},
                                                  {"UseCng", false},
                                                  {"d", Padded(c.d, c.n.size())},
                                                  {"dp", Padded(c.dp, half)},
                                                  {"dq", Padded(c.dq, half)},
                                                  {"exponent", jose::Base64Encode(c.e)},
                                                  {"inverseQ", Padded(c.qi, half)},
                                                  {"modulus", jose::Base64Encode(c.n)},
                                                  {"p", Padded(c.p, half)},
                                                  {"q", Padded(c.q, half)}});
}

ProcessOutput RunListener(const std::string& root, std::vector<std::string> args) {
  std::filesystem::create_directories(root + "/bin");
  std::filesystem::copy_file(FAKE_AGENT_LISTENER, root + "/bin/Agent.Listener",
                             std::filesystem::copy_options::overwrite_existing);
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
  WriteBomJson(root + "/.credentials_rsaparams", unpadded);
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

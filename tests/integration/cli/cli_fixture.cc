#include "cli_fixture.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <unistd.h>

namespace agentboot::cli_test {

void CliFixture::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "agentboot-cli-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  temp_dir_ = pattern;
  sim::SimConfig config;
  config.state_dir = temp_dir_ + "/sim";
  config.quiet = true;
  config.agent_packages = {{FAKE_AGENT_VERSION, FAKE_AGENT_PACKAGE}};
  auto started = sim::Simulator::Start(config);
  ASSERT_TRUE(started) << started.error().ToString();
  sim_ = std::move(*started);
  vars_ = sim_->EnvVars();
}

void CliFixture::TearDown() {
  if (sim_) sim_->Stop();
  sim_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

RunResult CliFixture::Agentboot(const std::vector<std::string>& args,
                                const std::map<std::string, std::string>& env) const {
  ProcessSpec spec;
  spec.argv = {binary_};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", temp_dir_}};
  for (const auto& [key, value] : env) spec.env[key] = value;
  spec.timeout = std::chrono::seconds(120);
  auto output = PosixProcessRunner().Run(spec);
  EXPECT_TRUE(output) << output.error().ToString();
  if (!output) return {};
  return RunResult{output->exit_code, output->stdout_text, output->stderr_text};
}

std::string CliFixture::Var(const std::string& key) const {
  const auto it = vars_.find(key);
  EXPECT_NE(it, vars_.end()) << key;
  return it == vars_.end() ? std::string() : it->second;
}

std::map<std::string, std::string> CliFixture::ImdsEnv() const {
  return {{"AZURE_POD_IDENTITY_AUTHORITY_HOST", Var("AZURE_POD_IDENTITY_AUTHORITY_HOST")},
          {"AZP_URL", Var("AZP_URL")}};
}

nlohmann::json CliFixture::Control(const std::string& method, const std::string& path,
                                   const nlohmann::json& body) const {
  Poco::URI uri(Var("AGENTBOOT_SIM_CONTROL") + path);
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
  const std::string text = body.is_null() ? "" : body.dump();
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(text.size()));
  session.sendRequest(request) << text;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  return nlohmann::json::parse(out.str(), nullptr, false);
}

std::vector<nlohmann::json> CliFixture::AgentsNamed(const std::string& name) const {
  std::vector<nlohmann::json> agents;
  const auto state = Control("GET", "/devops/state");
  for (const auto& agent : state.value("agents", nlohmann::json::array())) {
    if (agent.value("name", "") == name) agents.push_back(agent);
  }
  return agents;
}

int CliFixture::RequestCount(const std::string& prefix, const std::string& method) const {
  const auto log = Control("GET", "/requests?path_prefix=" + prefix);
  int count = 0;
  for (const auto& entry : log.value("requests", nlohmann::json::array())) {
    if (method == "*" || entry.value("method", "") == method) ++count;
  }
  return count;
}

std::string CliFixture::MakeAgentRoot(const std::string& name) const {
  const std::string root = temp_dir_ + "/" + name;
  std::filesystem::create_directories(root + "/bin");
  // A copy, as in a package: the listener's root is where its binary really lives (agent-audit
  // D1), so a link to the build tree would make that its root.
  std::filesystem::copy_file(FAKE_AGENT_LISTENER, root + "/bin/Agent.Listener");
  return root;
}

int CliFixture::ListenerCheck(const std::string& root) const {
  ProcessSpec spec;
  spec.argv = {root + "/bin/Agent.Listener", "run", "--check"};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  spec.timeout = std::chrono::seconds(60);
  auto output = PosixProcessRunner().Run(spec);
  EXPECT_TRUE(output);
  return output ? output->exit_code : -1;
}

std::string CliFixture::ReadFile(const std::string& path) const {
  auto content = PosixFileSystem().ReadFile(path);
  return content ? *content : std::string();
}

}  // namespace agentboot::cli_test

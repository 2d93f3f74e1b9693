#include "listener_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace agentboot::simdevops_test {
namespace {

std::string Padded(jose::Bytes bytes, size_t size) {
  if (bytes.size() < size) bytes.insert(bytes.begin(), size - bytes.size(), 0);
  return jose::Base64Encode(bytes);
}

void WriteBomJson(const std::string& path, const nlohmann::json& value) {
  std::ofstream(path, std::ios::binary) << "\xEF\xBB\xBF" << value.dump(2);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void WriteAgentFiles(const std::string& root, const nlohmann::json& agent,
                     const std::string& server_url, const jose::RsaKey& key) {
  std::filesystem::create_directories(root);
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

void InstallListener(const std::string& root, const std::string& binary) {
  std::filesystem::create_directories(root + "/bin");
  // A package always has externals/; the update script moves it (update.sh.template:91-101).
  std::filesystem::create_directories(root + "/externals");
  std::filesystem::copy_file(binary, root + "/bin/Agent.Listener",
                             std::filesystem::copy_options::overwrite_existing);
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::unique_ptr<ListenerProcess> ListenerProcess::Start(
    const std::string& root, const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env) {
  std::unique_ptr<ListenerProcess> process(new ListenerProcess());
  static int counter = 0;
  const std::string stem = root + "/listener-" + std::to_string(++counter);
  process->stdout_file_ = stem + ".out";
  process->stderr_file_ = stem + ".err";
  std::vector<std::string> argv_text = {root + "/bin/Agent.Listener"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::string name = text.substr(0, text.find('='));
    if (env.count(name) == 0) env_text.push_back(text);
  }
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  std::vector<char*> argv;
  for (std::string& text : argv_text) argv.push_back(text.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& text : env_text) envp.push_back(text.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(process->stdout_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(process->stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  process->pid_ = pid;
  return process;
}

ListenerProcess::~ListenerProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void ListenerProcess::Signal(int signal_number) {
  if (pid_ > 0 && !exit_code_) kill(pid_, signal_number);
}

std::optional<int> ListenerProcess::Wait(std::chrono::milliseconds deadline) {
  if (exit_code_) return exit_code_;
  WaitUntil(
      [&] {
        int status = 0;
        const pid_t done = waitpid(pid_, &status, WNOHANG);
        if (done != pid_) return false;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return true;
      },
      deadline);
  return exit_code_;
}

std::string ListenerProcess::Stdout() const { return ReadAll(stdout_file_); }
std::string ListenerProcess::Stderr() const { return ReadAll(stderr_file_); }

bool ListenerProcess::WaitForStdout(const std::string& text,
                                    std::chrono::milliseconds deadline) const {
  return WaitUntil([&] { return Stdout().find(text) != std::string::npos; }, deadline);
}

void ListenerFixture::SetUp() {
  SimFixture::SetUp();
  if (HasFatalFailure()) return;
  // Tests poll for ~1 s, like a real long poll shortened.
  ASSERT_EQ(Control("POST", "/_control/devops/settings", {{"message_poll_ms", 1000}}).status, 200);
  admin_ = ImdsToken();
}

nlohmann::json ListenerFixture::PrepareAgent(const std::string& name, const std::string& binary) {
  nlohmann::json agent = RegisterAgent(admin_, name, KeyA());
  WriteAgentFiles(RootOf(name), agent, Org(), KeyA());
  InstallListener(RootOf(name), binary);
  return agent;
}

std::string ListenerFixture::AgentToken(const nlohmann::json& agent, const jose::RsaKey& key) {
  const std::string client_id = agent["authorization"]["clientId"];
  const int64_t now = ToUnixSeconds(SystemClock().Now());
  nlohmann::json claims = {{"iss", client_id},
                           {"sub", client_id},
                           {"aud", agent["authorization"]["authorizationUrl"]},
                           {"jti", NewGuid(SystemRandom())},
                           {"nbf", now},
                           {"exp", now + 300}};
  const std::string form = "grant_type=client_credentials&client_assertion_type=" +
                           UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                           "&client_assertion=" + UrlEncode(jose::SignJwt(claims, key).value());
  Answer answer =
      Send("POST", agent["authorization"]["authorizationUrl"],
           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
           form);
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.Json().value("access_token", "");
}

nlohmann::json ListenerFixture::QueueJob(const nlohmann::json& spec) {
  Answer answer = Control("POST", "/_control/devops/jobs", spec);
  EXPECT_EQ(answer.status, 200) << answer.body;
  return answer.Json();
}

nlohmann::json ListenerFixture::Job(int64_t request_id) {
  return Control("GET", "/_control/devops/jobs/" + std::to_string(request_id)).Json();
}

nlohmann::json ListenerFixture::AgentState(int64_t agent_id) {
  return Api("GET",
             "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent_id) +
                 "?includeAssignedRequest=true",
             admin_)
      .Json();
}

}  // namespace agentboot::simdevops_test

// Helpers for tests that run the fake Agent.Listener or act as one: the three agent files as the
// real configure step writes them, an agent's own OAuth token, and a listener process running in
// the background (output to files, signals, waits with a deadline).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim_fixture.h"
#include <sys/types.h>

namespace agentboot::simdevops_test {

// .agent, .credentials and .credentials_rsaparams with BOMs and .NET's padded RSA fields.
void WriteAgentFiles(const std::string& root, const nlohmann::json& agent,
                     const std::string& server_url, const jose::RsaKey& key);
// Copies `binary` to <root>/bin/Agent.Listener (and makes <root>/externals).
void InstallListener(const std::string& root, const std::string& binary);

// Polls `done` every 20 ms until it holds or `deadline` passes.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds deadline = std::chrono::seconds(30));

class ListenerProcess {
 public:
  // Runs <root>/bin/Agent.Listener `args` with this process's environment plus `env`.
  static std::unique_ptr<ListenerProcess> Start(const std::string& root,
                                                const std::vector<std::string>& args,
                                                const std::map<std::string, std::string>& env = {});
  ListenerProcess(const ListenerProcess&) = delete;
  ListenerProcess& operator=(const ListenerProcess&) = delete;
  ~ListenerProcess();  // SIGKILL and reap when still running

  void Signal(int signal_number);
  // The exit code (128+signal when killed), or nullopt when still running at the deadline.
  std::optional<int> Wait(std::chrono::milliseconds deadline = std::chrono::seconds(60));
  std::string Stdout() const;
  std::string Stderr() const;
  bool WaitForStdout(const std::string& text,
                     std::chrono::milliseconds deadline = std::chrono::seconds(30)) const;

 private:
  ListenerProcess() = default;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string stdout_file_;
  std::string stderr_file_;
};

// A simulator fixture whose tests register agents and act as (or run) listeners.
class ListenerFixture : public SimFixture {
 protected:
  void SetUp() override;
  // Registers `name` with KeyA, writes the files under <temp>/<name> and installs the fake
  // listener; returns the agent JSON.
  nlohmann::json PrepareAgent(const std::string& name,
                              const std::string& binary = FAKE_AGENT_LISTENER);
  std::string RootOf(const std::string& name) const { return temp_dir_ + "/" + name; }
  // An access token from the agent's own OAuth flow.
  std::string AgentToken(const nlohmann::json& agent, const jose::RsaKey& key);
  nlohmann::json QueueJob(const nlohmann::json& spec);
  nlohmann::json Job(int64_t request_id);       // GET /_control/devops/jobs/{id}
  nlohmann::json AgentState(int64_t agent_id);  // GET …/agents/{id} as the administrator
  std::string admin_;
};

}  // namespace agentboot::simdevops_test

// Runs the real `agentboot` against a simulator started in-process for each test (port 0, its
// own temp directory). The child's environment is built from scratch: nothing of the test
// process's environment leaks in, so tests run in parallel and shuffled.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/sim.h"

namespace agentboot::cli_test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // agentboot <args> with PATH plus `env`.
  RunResult Agentboot(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {}) const;
  // The sim's variable `key` from its env file (EnvVars()).
  std::string Var(const std::string& key) const;
  // IMDS (the default flavour) and the organization URL.
  std::map<std::string, std::string> ImdsEnv() const;
  // A JSON call to the control API; returns the parsed body (null when not JSON).
  nlohmann::json Control(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr) const;
  // Agents in the simulated organization named `name`.
  std::vector<nlohmann::json> AgentsNamed(const std::string& name) const;
  // Requests the simulator logged whose path starts with `prefix`.
  int RequestCount(const std::string& prefix, const std::string& method = "*") const;
  // An agent root with a copy of the fake listener as bin/Agent.Listener.
  std::string MakeAgentRoot(const std::string& name) const;
  // <root>/bin/Agent.Listener run --check: exit code of the fake listener's OAuth round trip.
  int ListenerCheck(const std::string& root) const;
  std::string ReadFile(const std::string& path) const;

  std::string binary_ = AGENTBOOT_BIN;  // what Agentboot() runs
  std::string temp_dir_;
  std::unique_ptr<sim::Simulator> sim_;
  std::map<std::string, std::string> vars_;
};

}  // namespace agentboot::cli_test

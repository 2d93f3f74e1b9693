// Helpers for the admin commands' end-to-end tests: shaped agents in the simulated pools.
#pragma once

#include "cli_fixture.h"

namespace agentboot::admin_test {

using cli_test::RunResult;

enum ExitCode {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,
  kIdentityUnavailable = 3,
  kDevOpsUnauthenticated = 5,
  kForbidden = 6,
  kNotFound = 7,
  kConflict = 8,
};

struct Shape {
  std::string name;
  std::string status = "offline";
  int64_t offline_for_seconds = 0;
  bool owned = true;
  bool placeholder = false;
  nlohmann::json pool = 1;
};

class AdminFixture : public cli_test::CliFixture {
 protected:
  // POST /_control/devops/agents; returns the agent's id.
  int64_t AddAgent(const Shape& shape) const;
  // A running job request assigned to the agent.
  void AssignJob(int64_t agent_id, int64_t pool = 1) const;
  std::string SystemOid() const { return Var("AGENTBOOT_SIM_SYSTEM_ASSIGNED_OBJECT_ID"); }
  bool Exists(const std::string& name) const { return !AgentsNamed(name).empty(); }
  static bool Has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
  }
  static int Occurrences(const std::string& text, const std::string& needle);
};

}  // namespace agentboot::admin_test

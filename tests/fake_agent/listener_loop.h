// `Agent.Listener run [--once]` (agent-contract §3-4): files, OAuth, session, the message loop
// with its keep-alive poll, jobs, AgentRefresh, SIGINT/SIGTERM, and the exit codes.
#pragma once

#include <string>

namespace agentboot::fake_agent {

struct RunOptions {
  bool once = false;   // exit 0 after the first job (4 instead of 3 for an update)
  bool check = false;  // stop after the OAuth flow (no session)
  // --startuptype service: a self-update does not start run.sh behind the caller's back
  // (Agent.cs:578, update.sh.template:130-135).
  bool service = false;
};

// Returns the exit code, or ends the process itself (_exit) on shutdown paths.
int RunListener(const std::string& root, const RunOptions& options);

}  // namespace agentboot::fake_agent

// The listener's session (agent-contract §3, MessageListener.CreateSessionAsync): POST with the
// scanned capabilities, the reactions to a conflict and to a deleted agent, and DELETE on exit.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

#include "listener_server.h"

namespace agentboot::fake_agent {

struct SessionOutcome {
  std::string session_id;  // empty on failure
  int exit_code = kSuccess;
};

// A conflict is retried every second until `conflict_limit` has passed, then exit 1.
// TaskAgentNotFoundException prints the MissingAgent text and gives exit 1.
SessionOutcome CreateSession(ServerConnection& server, const std::string& root,
                             Duration conflict_limit);
// Best effort, like the agent's 30 s shutdown call.
void DeleteSession(ServerConnection& server, const std::string& session_id);

// `typeKey` of a wrapped-exception body ("" when the body is not one).
std::string ExceptionType(const HttpAnswer& answer);
// Agent.* capabilities plus the environment, as the capability providers scan them (§7).
nlohmann::json ScanCapabilities(const std::string& root, const AgentSettings& settings);

}  // namespace agentboot::fake_agent

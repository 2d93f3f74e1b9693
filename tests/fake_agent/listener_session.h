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

// MessageListener.CreateSessionAsync (lines 100-216, 452-553): connect, then POST the session,
// in one loop. Retriable failures (socket errors, a refused OAuth token request, 5xx, anything
// not named below) are retried every `retry_interval` (30 s) for ever; a conflict is retried
// until `conflict_limit` (4 minutes) has passed, then exit 1; TaskAgentNotFoundException prints
// the MissingAgent text and gives exit 1, as do a pool not found, access denied and 401.
struct SessionTiming {
  Duration retry_interval;
  Duration conflict_limit;
};
SessionTiming SessionTimingFromKnobs();
SessionOutcome CreateSession(ServerConnection& server, const std::string& root,
                             const SessionTiming& timing);
// Best effort, like the agent's 30 s shutdown call.
void DeleteSession(ServerConnection& server, const std::string& session_id);

// `typeKey` of a wrapped-exception body ("" when the body is not one).
std::string ExceptionType(const HttpAnswer& answer);
// The capability providers (agent-audit 7a/7b): the environment minus the well-known names and
// VSO_AGENT_IGNORE (comma-separated, trimmed, case-sensitive on Linux,
// EnvironmentCapabilitiesProvider.cs:18-84), Agent.*, then <root>/.capabilities (KEY=VALUE,
// split on the first '=', UserCapabilitiesProvider.cs:22-40).
nlohmann::json ScanCapabilities(const std::string& root, const AgentSettings& settings);

}  // namespace agentboot::fake_agent

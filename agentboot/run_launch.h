// `run`'s preparation order and the listener's launch spec, as functions of the seams they need
// (no App), so that unit tests check them without processes, sockets or a real identity.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agentboot/identity.h"
#include "agentboot/supervisor.h"

namespace agentboot::cli {

// The steps before the first token, in this order. Each returns kExitOk, or the exit code of a
// failure it printed; the first failure ends the preparation.
struct PreparationSteps {
  std::function<int()> check_locally;   // flags, --run-as, --env, a local package (no network)
  std::function<int()> secure_start;    // directory and URL trust (secure_start.h)
  std::function<int()> lock_agent_dir;  // create and lock the agent directory (run_lock.h)
  std::function<int()> serve_health;    // --health-listen
};

// Runs the steps, then asks `tokens` for one token: no token is requested (and nothing is sent
// on the network) when a local step failed. kExitOk, or the exit code of a printed failure.
int PrepareRun(const PreparationSteps& steps, identity::TokenSource& tokens);

// What the listener is started with.
struct ListenerLaunch {
  std::string agent_dir;
  bool once = false;
  bool pinned = false;          // --agent-version pins the version: no self-update
  std::optional<uint32_t> uid;  // --run-as
  std::optional<uint32_t> gid;
  std::vector<uint32_t> groups;
};

// Agent.Listener run --startuptype service [--once], in the agent directory, as the --run-as
// user, with the allow-listed environment of `parent_env` (BuildListenerEnvironment): never a
// token, a key or one of agentboot's own variables.
supervisor::LaunchSpec ListenerLaunchSpec(const ListenerLaunch& launch,
                                          const std::map<std::string, std::string>& parent_env,
                                          const supervisor::ListenerEnvironment& listener_env);

}  // namespace agentboot::cli

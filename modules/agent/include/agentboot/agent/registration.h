// agentboot::agent, registration: the native registrar (the REST calls of config.sh),
// the config.sh registrar and unregistration.
// Part of agentboot/agent.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/agent/files.h"
#include "agentboot/base.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::agent {

// Registration (the native registrar): the REST calls of `config.sh` with an Entra token, in an
// order that survives a crash at any point (agent-contract §1):
//   1. the pool is resolved by name, the agent looked up by name (reads only: a key made in
//      advance goes on being generated meanwhile),
//   2. the key is written to .credentials_rsaparams (reused when present) before any call that
//      sends it,
//   3. POST (new), adopt (an agent with our public key: an earlier run crashed after its POST),
//      or PUT (--replace of an agent with another key),
//   4. .credentials, .capabilities, then .agent (the "configured" marker) are written.
// A rerun after a crash finds the key and the agent with that key, and finishes the files: never
// two agents for one host, never a registered key whose private half was lost. A configured agent
// first finishes an interrupted key rotation (FinishInterruptedRotation; no request without one).

// Capabilities that mark an agent as agentboot's (for later cleanup of orphans) and as a
// placeholder that no cleanup may ever delete.
inline constexpr std::string_view kOwnerCapability = "agentboot";
inline constexpr std::string_view kHostCapability = "agentboot.host";
inline constexpr std::string_view kPlaceholderCapability = "agentboot.placeholder";

struct RegisterOptions {
  std::string server_url;  // the organization URL, as the user gave it
  std::string pool = "Default";
  std::string agent_name;  // required
  std::string work_folder = "_work";
  bool replace = false;       // take over an agent of that name that has another key
  bool placeholder = false;   // offline template agent: no files, no listener, never cleaned up
  std::string agent_version;  // the version of the listener that will run (agent-contract §7)
  std::string host_name;      // the machine's name, for the ownership mark
  std::map<std::string, std::string> capabilities;  // --capability key=value
  // Makes the key when none is on disk (default: RsaKey::Generate(2048) at that moment). `run`
  // starts it early so a fresh registration's key is made while the token and the package are
  // fetched (KeyInAdvance).
  std::function<Result<jose::RsaKey>()> new_key;
};

// A 2048-bit key generated on its own thread from construction on. Take() waits for it the first
// time and generates a new one on any later call (a re-registration after the first). The
// destructor waits for a key that was never taken.
class KeyInAdvance {
 public:
  KeyInAdvance();
  Result<jose::RsaKey> Take();

 private:
  Mutex mu_;
  std::future<Result<jose::RsaKey>> pending_ GUARDED_BY(mu_);
};

enum class RegisterOutcome { kCreated, kUnchanged, kRecovered, kReplaced, kReregistered };
std::string_view RegisterOutcomeName(RegisterOutcome outcome);

struct Registration {
  RegisterOutcome outcome = RegisterOutcome::kCreated;
  int64_t pool_id = 0;
  std::string pool_name;
  int64_t agent_id = 0;
  std::string agent_name;
};

// The three steps above. Errors from the server keep their codes (kNotFound pool, kAlreadyExists
// without --replace, kUnauthenticated, kPermissionDenied, …) with advice; local files that belong
// to another registration give kAlreadyExists with advice to unregister first.
[[nodiscard]] Result<Registration> Register(devops::Client& client, AgentFiles& files, Env& env,
                                            const RegisterOptions& options);

struct Unregistration {
  bool deleted_on_server = false;  // false when the agent was already gone
  bool taken_over = false;  // the server's agent holds another key (--replace elsewhere): kept
  bool removed_local_files = false;
  int64_t agent_id = 0;
  std::string agent_name;
};

// Deletes this host's agent (from .agent) with a fresh token and removes the local credentials.
// Without local files, `pool` and `agent_name` name the agent to delete. A placeholder agent is
// never deleted by name unless `force`. An agent already gone counts as success. An agent of
// ours (from .agent) that the server shows with another public key was taken over by another
// host (`register --replace`): it is left alone and only the stale local files go.
[[nodiscard]] Result<Unregistration> Unregister(devops::Client& client, AgentFiles& files, Env& env,
                                                const std::string& pool,
                                                const std::string& agent_name, bool force);

}  // namespace agentboot::agent

// agentboot::agent, key rotation: a new RSA key for a registered agent, on the server
// and on disk, crash-safe through a journal.
// Part of agentboot/agent.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/agent/files.h"
#include "agentboot/agent/registration.h"
#include "agentboot/base.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::agent {

// Key rotation: a new RSA key for a registered agent, on the server and on disk.
// REQUIRES: the listener is stopped; the caller disables and drains the agent first, and starts
// the listener again afterwards. Crash-safe through a journal beside the key:
//   .credentials_rsaparams.previous  the key the server held when the rotation began
//   .credentials_rsaparams.next      only while the server's answer is unknown: the new key,
//                                    which the server may hold (the old one is then on disk)
// Whenever a journal exists, the server holds the key on disk or one of the journal's keys, so
// FinishInterruptedRotation can always put the registered key on disk. Key material is never
// logged: only KeyFingerprint.

struct KeyRotation {
  int64_t pool_id = 0;
  int64_t agent_id = 0;
  std::string agent_name;
  std::string old_fingerprint;  // KeyFingerprint of the key replaced
  std::string new_fingerprint;  // KeyFingerprint of the key now registered and on disk
};

// The first 8 lower-case hex characters of SHA-256 of the key's modulus bytes: names a key in logs.
std::string KeyFingerprint(const jose::RsaKey& key);

// Finishes an interrupted rotation first (see below), then:
//   1. loads .agent and the key, GETs the agent (it must hold that key),
//   2. writes the key to .credentials_rsaparams.previous,
//   3. writes a new 2048-bit key as .credentials_rsaparams,
//   4. PUTs the agent (as the server returned it) with the new public key,
//   5. removes the journal once the server holds the new key.
// When the PUT fails, a GET tells what the server holds: the new key counts as success; the old
// key (or a deleted agent, or another key) puts the old key back on disk and removes the journal;
// no answer puts the old key back but keeps both keys in the journal for the next repair.
// Errors: kNotFound without .agent (not registered) and kInvalidArgument for unreadable files,
// with nothing changed; kAlreadyExists when the server holds a key that is not ours; the server's
// errors, with transport failures, 5xx and throttling as kUnavailable (retryable: try later).
[[nodiscard]] Result<KeyRotation> RotateKey(devops::Client& client, AgentFiles& files, Env& env);

// Repairs what an interrupted RotateKey left. Without a journal: OK, no request. Otherwise GETs
// the agent and keeps whichever of the key on disk, .next and .previous the server holds (written
// as .credentials_rsaparams), then removes the journal. An agent deleted on the server keeps the
// key on disk (registration creates it again) and drops the journal. Errors: the GET's error when
// the server does not answer (nothing changed: retry later); kAlreadyExists when it holds none of
// these keys (nothing changed); kNotFound or kInvalidArgument when .agent is missing or unreadable.
[[nodiscard]] Status FinishInterruptedRotation(devops::Client& client, AgentFiles& files, Env& env);

// The listener's own version: `<root>/bin/Agent.Listener --version` (first line, trimmed), run
// with AGENT_DIAGLOGPATH pointing at a private temporary directory that is removed afterwards
// (every start of the real listener creates its diagnostics directory, agent-audit D5).
// kNotFound when there is no listener in <root>/bin; kPermissionDenied when the resolved
// listener or its directory is not this user's or is writable by group or others
// (security-review H1): nothing anyone else can change is ever run.
[[nodiscard]] Result<std::string> ListenerVersion(Env& env, const std::string& root);

}  // namespace agentboot::agent

// FinishInterruptedRotation (agent.h): after a crash in RotateKey, the server decides which of
// the keys on disk stays.
#include <string>
#include <utility>
#include <vector>

#include "agentboot/agent.h"

#include "key_rotation_checks.h"

namespace agentboot::agent {
namespace {

using detail::ServerHolds;

constexpr std::string_view kSource = "rotate";

struct KeyFile {
  const char* name;  // for the log: "current", "next" or "previous"
  std::string path;
};

// Where the registered key may be, the key on disk first: after a rotation that went through
// only the journal is stale.
std::vector<KeyFile> Candidates(const AgentFiles& files) {
  return {{"current", files.rsa_params_path()},
          {"next", files.next_key_path()},
          {"previous", files.previous_key_path()}};
}

// Puts `key` on disk (unless it is there already), then drops the journal.
Status Keep(AgentFiles& files, const KeyFile& from, const jose::RsaKey& key) {
  if (from.path != files.rsa_params_path()) {
    if (auto written = files.WriteKey(key); !written) return written;
  }
  return files.RemoveRotationJournal();
}

// No agent on the server: no key is registered, so any readable one will do for the next
// registration; the key on disk is preferred.
Status KeepAnyKey(AgentFiles& files, Env& env, const AgentSettings& settings) {
  for (const KeyFile& candidate : Candidates(files)) {
    auto key = files.LoadKeyFile(candidate.path);
    if (!key) continue;
    if (auto kept = Keep(files, candidate, *key); !kept) return kept;
    env.log.Log(LogLevel::kWarning, kSource,
                "the agent is gone from the server; interrupted key rotation dropped",
                {{"agent", settings.agent_name}, {"kept", candidate.name}});
    return {};
  }
  return files.RemoveRotationJournal();
}

// The server's answer names no key (agent-audit D4): the key on disk (else a journal's) is put
// on the server again, as the agent's own `reauth` does, and kept.
Status ReassertKey(devops::Client& client, AgentFiles& files, Env& env,
                   const AgentSettings& settings, const devops::Agent& agent) {
  for (const KeyFile& candidate : Candidates(files)) {
    auto key = files.LoadKeyFile(candidate.path);
    if (!key) continue;
    auto put = detail::PutKey(client, settings.pool_id, agent, *key);
    if (!put) return Fail(detail::AsRetryable(std::move(put.error())));
    if (auto kept = Keep(files, candidate, *key); !kept) return kept;
    env.log.Log(LogLevel::kInfo, kSource, "interrupted key rotation finished by re-sending a key",
                {{"agent", settings.agent_name}, {"kept", candidate.name}});
    return {};
  }
  return files.RemoveRotationJournal();
}

}  // namespace

Status FinishInterruptedRotation(devops::Client& client, AgentFiles& files, Env& env) {
  if (!files.HasRotationJournal()) return {};
  auto settings = files.LoadSettings();
  if (!settings) return Fail(std::move(settings.error()));
  auto agent = client.GetAgent(settings->pool_id, settings->agent_id);
  if (!agent && agent.error().code == ErrorCode::kNotFound) {
    return KeepAnyKey(files, env, *settings);
  }
  // Unreachable: nothing changes, the journal stays for the next attempt.
  if (!agent) return Fail(detail::AsRetryable(std::move(agent.error())));
  if (detail::ServerSentNoKey(*agent)) return ReassertKey(client, files, env, *settings, *agent);
  for (const KeyFile& candidate : Candidates(files)) {
    auto key = files.LoadKeyFile(candidate.path);
    if (!key || !ServerHolds(*agent, *key)) continue;
    if (auto kept = Keep(files, candidate, *key); !kept) return kept;
    env.log.Log(LogLevel::kInfo, kSource, "interrupted key rotation finished",
                {{"agent", settings->agent_name},
                 {"id", std::to_string(settings->agent_id)},
                 {"kept", candidate.name},
                 {"key", KeyFingerprint(*key)}});
    return {};
  }
  return Fail(ErrorCode::kAlreadyExists,
              "finish the key rotation of agent '" + settings->agent_name + "'",
              "the server holds none of the keys in " + files.root(),
              "Another registration replaced this agent's key; run `agentboot unregister`, then "
              "register again.");
}

}  // namespace agentboot::agent

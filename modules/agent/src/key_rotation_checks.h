// Shared by RotateKey and FinishInterruptedRotation. Private to agentboot::agent.
#pragma once

#include "agentboot/agent.h"

namespace agentboot::agent::detail {

// True when the agent's registered public key is `key`'s (compared as unsigned numbers, so
// base64 of a leading zero byte does not matter). False when the server sent no key.
bool ServerHolds(const devops::Agent& agent, const jose::RsaKey& key);

// True when the answer carries no public key at all. The agent never reads
// authorization.publicKey from a GET (ConfigurationManager.cs:763-766, 892-895), so whether the
// service returns it is unknown (agent-audit D4): every decision must also work without it.
bool ServerSentNoKey(const devops::Agent& agent);

// PUTs `agent` with `key`'s public half (the agent's own `reauth`/`--replace` mechanism) and
// returns the server's answer.
Result<devops::Agent> PutKey(devops::Client& client, int64_t pool_id, devops::Agent agent,
                             const jose::RsaKey& key);

// Transport failures, 5xx, throttling and time-outs become kUnavailable and retryable: the caller
// tries again later. Other errors are returned as they are.
Error AsRetryable(Error error);

}  // namespace agentboot::agent::detail

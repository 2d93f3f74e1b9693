// Shared by RotateKey and FinishInterruptedRotation. Private to agentboot::agent.
#pragma once

#include "agentboot/agent.h"

namespace agentboot::agent::detail {

// True when the agent's registered public key is `key`'s (compared as unsigned numbers, so
// base64 of a leading zero byte does not matter). False when the server sent no key.
bool ServerHolds(const devops::Agent& agent, const jose::RsaKey& key);

// Transport failures, 5xx, throttling and time-outs become kUnavailable and retryable: the caller
// tries again later. Other errors are returned as they are.
Error AsRetryable(Error error);

}  // namespace agentboot::agent::detail

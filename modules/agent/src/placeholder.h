// Placeholder (template) agents carry a capability mark; a lookup by name returns no
// capabilities, so the mark is read from the agent itself. Private to modules/agent.
#pragma once

#include "agentboot/agent.h"

namespace agentboot::agent::detail {

bool HasPlaceholderMark(const devops::Agent& agent);
// GET the agent with its capabilities and look for kPlaceholderCapability.
[[nodiscard]] Result<bool> IsPlaceholder(devops::Client& client, int64_t pool_id, int64_t agent_id);

}  // namespace agentboot::agent::detail

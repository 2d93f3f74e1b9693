#include "placeholder.h"

namespace agentboot::agent::detail {

bool HasPlaceholderMark(const devops::Agent& agent) {
  const std::string mark(kPlaceholderCapability);
  return agent.system_capabilities.count(mark) > 0 || agent.user_capabilities.count(mark) > 0;
}

Result<bool> IsPlaceholder(devops::Client& client, int64_t pool_id, int64_t agent_id) {
  auto agent = client.GetAgent(pool_id, agent_id);
  if (!agent) return Fail(std::move(agent.error()));
  return HasPlaceholderMark(*agent);
}

}  // namespace agentboot::agent::detail

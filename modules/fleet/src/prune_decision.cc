// DecidePrune: the pure rule of `agentboot prune` (fleet.h).
#include "agentboot/agent.h"
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

bool HasCapability(const devops::Agent& agent, std::string_view name) {
  const std::string key(name);
  return agent.system_capabilities.count(key) > 0 || agent.user_capabilities.count(key) > 0;
}

}  // namespace

std::string_view VerdictName(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::kDelete:
      return "delete";
    case Verdict::kKeepNotOwned:
      return "not created by agentboot";
    case Verdict::kKeepPlaceholder:
      return "placeholder";
    case Verdict::kKeepOnline:
      return "not offline";
    case Verdict::kKeepBusy:
      return "job assigned";
    case Verdict::kKeepRecent:
      return "offline too recently";
    case Verdict::kKeepUnknownAge:
      return "offline since unknown";
  }
  return "keep";
}

Verdict DecidePrune(const devops::Agent& agent, TimePoint now, Duration older_than) noexcept {
  if (!HasCapability(agent, agent::kOwnerCapability)) return Verdict::kKeepNotOwned;
  if (HasCapability(agent, agent::kPlaceholderCapability)) return Verdict::kKeepPlaceholder;
  if (!EqualsIgnoreCase(agent.status, "offline")) return Verdict::kKeepOnline;
  if (agent.has_assigned_request) return Verdict::kKeepBusy;
  if (!agent.status_changed_on) return Verdict::kKeepUnknownAge;
  if (now - *agent.status_changed_on <= older_than) return Verdict::kKeepRecent;
  return Verdict::kDelete;
}

}  // namespace agentboot::fleet

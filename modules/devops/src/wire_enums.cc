// The words the API uses for a job's result and an agent's status, turned into enums once, at the
// wire edge (wire.cc), so that no caller compares them as strings.
#include <array>
#include <utility>

#include "agentboot/devops.h"

namespace agentboot::devops {
namespace {

// TaskResult of the distributed-task Web API, serialised in camel case.
constexpr std::array<std::pair<std::string_view, JobResult>, 6> kJobResults = {{
    {"succeeded", JobResult::kSucceeded},
    {"succeededWithIssues", JobResult::kSucceededWithIssues},
    {"failed", JobResult::kFailed},
    {"canceled", JobResult::kCanceled},
    {"skipped", JobResult::kSkipped},
    {"abandoned", JobResult::kAbandoned},
}};

// TaskAgentStatus.
constexpr std::array<std::pair<std::string_view, AgentStatus>, 2> kAgentStatuses = {{
    {"offline", AgentStatus::kOffline},
    {"online", AgentStatus::kOnline},
}};

}  // namespace

JobResult ParseJobResult(std::string_view text) {
  for (const auto& [word, result] : kJobResults) {
    if (EqualsIgnoreCase(text, word)) return result;
  }
  return JobResult::kNone;
}

AgentStatus ParseAgentStatus(std::string_view text) {
  for (const auto& [word, status] : kAgentStatuses) {
    if (EqualsIgnoreCase(text, word)) return status;
  }
  return AgentStatus::kUnknown;
}

}  // namespace agentboot::devops

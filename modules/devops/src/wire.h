// JSON wire shapes of the Azure DevOps distributedtask API (agent-contract §1 "JSON shapes", §6).
// Pure functions: body in, typed value or kInternal out. Private to agentboot::devops.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/devops.h"

namespace agentboot::devops::detail {

[[nodiscard]] Result<ConnectionData> ParseConnectionData(std::string_view body,
                                                         const std::string& context);
// Collections are {"count":n,"value":[…]} (§0.5).
[[nodiscard]] Result<std::vector<Pool>> ParsePools(std::string_view body,
                                                   const std::string& context);
[[nodiscard]] Result<std::vector<Agent>> ParseAgents(std::string_view body,
                                                     const std::string& context);
[[nodiscard]] Result<Agent> ParseAgent(std::string_view body, const std::string& context);
// A collection or, for a versioned route, one PackageMetadata.
[[nodiscard]] Result<std::vector<AgentPackage>> ParsePackages(std::string_view body,
                                                              const std::string& context);
[[nodiscard]] Result<std::vector<JobRequest>> ParseJobRequests(std::string_view body,
                                                               const std::string& context);

// The TaskAgent body for POST (include_id false) and PUT (true).
std::string AgentToJson(const Agent& agent, bool include_id);

// {"message":…,"typeKey":…} of a wrapped exception (§0.6); nullopt when the body is not one.
struct WrappedException {
  std::string message;
  std::string type_key;
};
std::optional<WrappedException> ParseWrappedException(std::string_view body);

}  // namespace agentboot::devops::detail

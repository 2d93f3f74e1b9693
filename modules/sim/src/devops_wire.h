// Wire shapes of the simulated Azure DevOps: wrapped-exception error bodies (agent-contract §0.6),
// the 203 sign-in page and the 401 challenge (§8, identity-contract §6.4), the 429 answer
// (identity-contract §6.5), and the JSON of pools, agents, packages and job requests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "devops_org.h"
#include "devops_throttle.h"
#include "sim_internal.h"

namespace agentboot::sim::detail {

inline constexpr const char* kDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798";
inline constexpr const char* kEmptyGuid = "00000000-0000-0000-0000-000000000000";

// {"$id":"1","innerException":null,"message":…,"typeName":"Microsoft.TeamFoundation.
// DistributedTask.WebApi.<type_key>, Microsoft.TeamFoundation.DistributedTask.WebApi",
// "typeKey":…,"errorCode":0,"eventId":3000}. Never carries a Bearer challenge.
HttpResponse WrappedException(int status, const std::string& type_key, const std::string& message);

// Missing or refused credentials: 401 with the Bearer challenge naming the tenant and
// X-TFS-ServiceError when the client sent X-TFS-FedAuthRedirect: Suppress, else 203 text/html.
HttpResponse AuthenticationRequired(const HttpRequest& request, const std::string& tenant_id,
                                    const std::string& message);

// 429 with Retry-After and the X-RateLimit-* headers and a TF400733 body.
HttpResponse Throttled(const TokenBucketThrottle::Verdict& verdict);
// Adds the X-RateLimit-* headers of an allowed request when throttling is active.
void AddRateLimitHeaders(HttpResponse& response, const TokenBucketThrottle::Verdict& verdict);

nlohmann::json Collection(const nlohmann::json& items);  // {"count":n,"value":[…]}

nlohmann::json PoolJson(const PoolRecord& pool, int64_t size, const std::string& org_url);
nlohmann::json AgentJson(const AgentRecord& agent, bool include_capabilities,
                         const std::string& org_url);
nlohmann::json PackageJson(const PackageRecord& package, const std::string& base_url);
nlohmann::json JobRequestJson(const JobRequestRecord& request, const std::string& agent_name);

}  // namespace agentboot::sim::detail

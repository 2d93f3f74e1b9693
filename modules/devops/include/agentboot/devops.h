// agentboot::devops — the typed Azure DevOps REST client: connectionData, agent pools, agents,
// agent packages and job requests. Wire facts: shared/spec/agent-contract.md (§n) and
// identity-contract.md §6.3–6.5.
//
// Every call fetches a token from the TokenSource (a cache, so this is cheap and always fresh),
// sends it as Bearer (or Basic for a PAT), and turns the service's answers into error values:
//   203 or any 2xx that is not JSON (a sign-in page)  kUnauthenticated
//   401                                               kUnauthenticated
//   403, typeKey AccessDenied*                        kPermissionDenied
//   404, *NotFoundException                           kNotFound
//   TaskAgentExistsException, 409                     kAlreadyExists
//   429                                               kThrottled (after the retries below)
//   502/503/504, transport failures                   kUnavailable / kDeadlineExceeded
// 429, 503, 502, 504 and transport failures are retried for idempotent calls, sleeping through
// Env::clock: a 429 or 503 that says how long to wait (Retry-After, X-RateLimit-Reset) for that
// wait plus a random spread until ClientOptions::throttle's time budget is spent, anything else
// for http::BackoffDelay up to ClientOptions::backoff's number of tries (http::RetryBudget).
// A POST is never retried blindly: AddAgent first looks the agent up by name (see there).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"

namespace agentboot::devops {

struct ConnectionData {
  std::string user_id;          // authenticatedUser.id (GUID)
  std::string user_descriptor;  // authenticatedUser.descriptor
  std::string user_display_name;
  std::string instance_id;
  std::string deployment_type;  // "hosted" or "onPremises"
};

struct Pool {
  int64_t id = 0;
  std::string name;
  bool is_hosted = false;
};

struct PublicKey {
  std::string exponent;  // standard base64 of the big-endian bytes ("AQAB")
  std::string modulus;
};

struct AgentAuthorization {
  std::string client_id;          // assigned by the server
  std::string authorization_url;  // assigned by the server
  PublicKey public_key;
};

// A finished job's result, as the API spells it: TaskResult of the distributed-task Web API
// ("succeeded", "succeededWithIssues", "failed", "canceled", "skipped", "abandoned"; REST
// reference: distributedtask/agents, "TaskAgentJobRequest.result"). Parsed once, in wire.cc.
enum class JobResult {
  kNone,  // no result yet (running), or one this client does not know
  kSucceeded,
  kSucceededWithIssues,
  kFailed,
  kCanceled,
  kSkipped,
  kAbandoned,
};
JobResult ParseJobResult(std::string_view text);  // case-insensitive; unknown -> kNone

// TaskAgentStatus ("online", "offline"; REST reference: distributedtask/agents, "TaskAgent").
enum class AgentStatus { kUnknown, kOffline, kOnline };
AgentStatus ParseAgentStatus(std::string_view text);  // case-insensitive; unknown -> kUnknown

struct JobRequest {
  int64_t request_id = 0;
  std::string result;  // empty while running; as the server wrote it (for printing)
  JobResult result_kind = JobResult::kNone;  // `result`, parsed: decisions read this
  std::optional<std::string> assign_time;
  std::optional<std::string> finish_time;
  int64_t agent_id = 0;  // reservedAgent.id, 0 when unassigned
  bool Running() const { return assign_time.has_value() && !finish_time.has_value(); }
};

struct Agent {
  int64_t id = 0;  // 0 for an agent not yet added
  std::string name;
  std::string version;  // the listener's real version, "4.260.0"
  std::string os_description;
  bool enabled = true;
  std::string status;  // "online" / "offline", as the server wrote it (for printing)
  AgentStatus status_kind = AgentStatus::kUnknown;  // `status`, parsed: decisions read this
  std::string provisioning_state = "Provisioned";
  int max_parallelism = 1;
  AgentAuthorization authorization;
  std::map<std::string, std::string> system_capabilities;
  std::map<std::string, std::string> user_capabilities;
  std::map<std::string, std::string> properties;  // PropertiesCollection "$value"s, e.g. ServerUrl
  bool has_assigned_request = false;              // a job is assigned to it right now
  // lastCompletedRequest, when asked for (AgentQuery::last_completed_request).
  std::optional<JobRequest> last_completed_request;
  // TaskAgent createdOn / statusChangedOn, and lastCompletedRequest.finishTime when the query
  // asked for it (REST reference: distributedtask/agents, "TaskAgent"); nullopt when absent.
  std::optional<TimePoint> created_on;
  std::optional<TimePoint> status_changed_on;
  std::optional<TimePoint> last_completed_finish_time;
  std::optional<TimePoint> assigned_request_time;  // assignedRequest.assignTime
};

// What GetAgent asks the server to include ("Agents - Get", api-version 7.1).
struct AgentQuery {
  bool capabilities = true;
  bool assigned_request = true;
  bool last_completed_request = false;
};

struct AgentPackage {
  std::string type;      // "agent"
  std::string platform;  // "linux-x64"
  std::string version;   // "x.y.z"
  std::string download_url;
  std::string hash_value;  // SHA-256 hex; compare ignoring case and '-'
  std::string filename;
};

struct PackageQuery {
  int top = 1;                         // newest first
  std::optional<std::string> version;  // exact "x.y.z": GET …/{platform}/{version}
  std::string type = "agent";
};

struct ClientOptions {
  std::string organization_url;             // "https://dev.azure.com/org"; every route is relative
  std::string agentboot_version = "0.0.0";  // User-Agent: agentboot/<version>
  std::string api_version = "7.1";          // sent in Accept (§0.3)
  // For resources with no released version (packages, job requests): a non-preview version is
  // refused with 400 VssInvalidPreviewVersionException (agent-audit D6).
  std::string preview_api_version = "7.1-preview";
  identity::TokenRequest token_request;
  http::BackoffPolicy backoff{6, std::chrono::seconds(1), std::chrono::seconds(60), 2.0, 0.2};
  // 429/503 with a requested wait: retried for 10 minutes from a call's first try (a fleet on one
  // identity can be throttled that long), each wait spread by up to 30 s (http::RetryBudget).
  http::ThrottlePolicy throttle;
  Duration timeout{std::chrono::seconds(60)};
};

// Where agentboot may send its bearer token: an https:// URL, or http:// to a loopback host
// (localhost, 127.0.0.0/8, [::1]: the simulator, a local proxy). kInvalidArgument otherwise
// (security-review M6); the caller decides whether an explicit insecure flag overrides it.
[[nodiscard]] Status CheckOrganizationUrl(std::string_view url);
bool IsLoopbackUrl(std::string_view url);

namespace detail {
class Caller;
}

// Not copyable. All references must outlive the client. Calls may be made from several threads
// when the transport and token source allow it (the client itself keeps no mutable state).
class Client {
 public:
  Client(ClientOptions options, http::Transport& transport, identity::TokenSource& tokens,
         Env& env);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // GET _apis/connectionData: who the token belongs to (identity-contract §6.3).
  [[nodiscard]] Result<ConnectionData> GetConnectionData();
  // GET _apis/distributedtask/pools?poolName=<name>&poolType=Automation (all pools when no name).
  [[nodiscard]] Result<std::vector<Pool>> ListPools(std::optional<std::string> name = {});
  // The first pool of ListPools(name); kNotFound "agent pool not found: '<name>'" when none.
  [[nodiscard]] Result<Pool> FindPool(const std::string& name);
  // GET _apis/distributedtask/pools?actionFilter=manage: the pools this identity administers
  // (TaskAgentPoolActionFilter "manage", REST reference distributedtask/pools/get-agent-pools).
  [[nodiscard]] Result<std::vector<Pool>> ListManagedPools();
  // GET …/pools/{id}/agents?includeCapabilities=true&includeAssignedRequest=true
  // &includeLastCompletedRequest=true: every agent of the pool with what prune and idle checks
  // need.
  [[nodiscard]] Result<std::vector<Agent>> ListAgents(int64_t pool_id);
  // GET …/pools/{id}/agents/{agent_id}?includeCapabilities=true&includeAssignedRequest=true
  // &includeLastCompletedRequest=true; kNotFound when absent.
  [[nodiscard]] Result<Agent> GetAgentActivity(int64_t pool_id, int64_t agent_id);
  // GET …/pools/{id}/agents?agentName=<name>&includeCapabilities=False; nullopt when absent.
  [[nodiscard]] Result<std::optional<Agent>> FindAgent(int64_t pool_id, const std::string& name);
  // GET …/pools/{id}/agents/{agent_id}?includeCapabilities=true&includeAssignedRequest=true
  // (and includeLastCompletedRequest=true when asked); kNotFound when absent.
  [[nodiscard]] Result<Agent> GetAgent(int64_t pool_id, int64_t agent_id,
                                       const AgentQuery& query = {});
  // POST …/pools/{id}/agents with name, version, osDescription, maxParallelism,
  // provisioningState, authorization.publicKey and systemCapabilities (§1 step 9).
  // After an ambiguous failure (timeout, 5xx) it waits, looks the agent up by name and returns
  // it when it exists now; only otherwise is the POST sent again. A 429 (a blocked request, never
  // applied) is sent again after its wait without a lookup. kAlreadyExists when the name is taken
  // from the start.
  [[nodiscard]] Result<Agent> AddAgent(int64_t pool_id, const Agent& agent);
  // PUT …/pools/{id}/agents/{agent.id} with the agent (new publicKey, version, capabilities).
  [[nodiscard]] Result<Agent> ReplaceAgent(int64_t pool_id, const Agent& agent);
  // PATCH …/pools/{id}/agents/{agent_id} with {id, enabled} (drain).
  [[nodiscard]] Result<Agent> SetAgentEnabled(int64_t pool_id, int64_t agent_id, bool enabled);
  // DELETE …/pools/{id}/agents/{agent_id}; kNotFound when already gone.
  [[nodiscard]] Status DeleteAgent(int64_t pool_id, int64_t agent_id);
  // GET _apis/distributedtask/packages/{type}/{platform}?$top=<top>, or …/{platform}/{version}.
  [[nodiscard]] Result<std::vector<AgentPackage>> ListPackages(const std::string& platform,
                                                               const PackageQuery& query = {});
  // GET …/pools/{id}/jobrequests?agentId=<agent_id>&completedRequestCount=<n> (a preview
  // resource): the agent's unfinished requests and its `completed_count` latest finished ones.
  [[nodiscard]] Result<std::vector<JobRequest>> ListJobRequests(int64_t pool_id, int64_t agent_id,
                                                                int completed_count = 1);

 private:
  std::unique_ptr<detail::Caller> caller_;
};

// "visible pools: a, b" (or "no agent pool is visible to this identity"), for a pool-not-found
// message.
std::string FormatVisiblePools(const std::vector<Pool>& pools);

// The Authorization header value for a token: "Basic base64(':' + pat)" for a PAT, else
// "Bearer <token>". The result is a Secret.
Secret AuthorizationHeader(const identity::AccessToken& token);

}  // namespace agentboot::devops

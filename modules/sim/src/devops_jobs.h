// Job requests of the simulated Azure DevOps: demands, the choice of agent, the messages a
// listener receives (PipelineAgentJobRequest, AgentRefresh), and the dispatcher that assigns
// queued requests to idle, enabled agents holding a session. Pure logic over DevOpsOrg and
// SessionBoard: no sockets, so it is unit-tested directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devops_org.h"
#include "devops_sessions.h"

namespace agentboot::sim::detail {

// How long a lock lasts after assignment or renewal (the service's default is 5 minutes).
inline constexpr std::chrono::minutes kJobLockDuration{5};
inline constexpr const char* kJobRequestMessageType = "PipelineAgentJobRequest";
inline constexpr const char* kAgentRefreshMessageType = "AgentRefresh";
// The variables of the job message that tell the fake listener what to do.
inline constexpr const char* kDurationVariable = "system.duration_ms";
inline constexpr const char* kResultVariable = "agentboot.sim.result";

// A demand as pipelines write them: "name" (the capability exists) or "name -equals value".
struct Demand {
  std::string name;
  std::optional<std::string> equals;
};
std::optional<Demand> ParseDemand(std::string_view text);
// Capability names compare case-insensitively, values exactly; user capabilities win over
// system ones. An unparsable demand is never satisfied.
bool SatisfiesDemands(const AgentRecord& agent, const std::vector<std::string>& demands);

// TaskResult names the service accepts on completion.
bool IsJobResult(std::string_view result);
// "queued", "running" or "completed".
std::string JobState(const JobRequestRecord& request);

struct DispatchCandidate {
  AgentRecord agent;
  bool has_session = false;
  bool busy = false;  // a job is assigned and unfinished
};
// The lowest-id candidate of the job's pool that is enabled, holds a session, is idle and
// satisfies the demands.
std::optional<int64_t> PickAgent(const JobRequestRecord& job,
                                 const std::vector<DispatchCandidate>& candidates);

// Message bodies (JSON text; the message's `body` is this string).
std::string JobRequestMessageBody(const JobRequestRecord& request, const std::string& agent_name);
std::string AgentRefreshMessageBody(int64_t agent_id, const std::string& target_version);

// Lock renewal and completion as PATCH …/jobrequests/{id}?lockToken= does them. The lock token
// must be the request's or the empty GUID (what the real agent sends). kNotFound for an unknown
// request; kInvalidArgument for a wrong token or a request that is not running.
[[nodiscard]] Result<JobRequestRecord> RenewJobLock(DevOpsOrg& org, int64_t request_id,
                                                    const std::string& lock_token, TimePoint now);
[[nodiscard]] Result<JobRequestRecord> CompleteJob(DevOpsOrg& org, int64_t request_id,
                                                   const std::string& lock_token,
                                                   const std::string& result, TimePoint finish);

// Assigns queued requests, oldest first, and posts their messages. Serialised by its own mutex
// so two triggers never assign one request twice. `org`, `board` and `random` outlive it.
class JobDispatcher {
 public:
  JobDispatcher(DevOpsOrg& org, SessionBoard& board, Random& random)
      : org_(org), board_(board), random_(random) {}
  // The requests assigned by this call.
  std::vector<JobRequestRecord> Dispatch(TimePoint now);

 private:
  DevOpsOrg& org_;
  SessionBoard& board_;
  Random& random_;
  Mutex mu_;  // serialises Dispatch
};

}  // namespace agentboot::sim::detail

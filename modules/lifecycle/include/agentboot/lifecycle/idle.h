// agentboot::lifecycle, the idle timeout (`run --idle-timeout`): the pure verdict and the poller
// that turns a long idle time into a drain request.
// Part of agentboot/lifecycle.h, the module's public header: include that one.
#pragma once

#include <functional>
#include <optional>

#include "agentboot/base.h"
#include "agentboot/lifecycle/messages.h"
#include "agentboot/lifecycle/seams.h"  // AgentFiles, Client

namespace agentboot::lifecycle {

// Idle timeout (`run --idle-timeout 30m`): an agent the server has given no job for that long
// drains and agentboot exits 0, so a scale set or a Deployment shrinks without cancelling
// anything. Only the server's view counts (the agent's assignedRequest and
// lastCompletedRequest.finishTime), never a guess from the listener's log.

struct AgentActivity {
  bool job_assigned = false;                // assignedRequest is set
  std::optional<TimePoint> last_completed;  // lastCompletedRequest.finishTime
  bool online = true;                       // status "online": the listener is connected
};

enum class IdleVerdict { kBusy, kIdle, kTimedOut };
std::string_view IdleVerdictName(IdleVerdict verdict) noexcept;

// Pure. Idle since the later of the last completed job and `watching_since` (when this agentboot
// started watching: a job finished before a restart does not count against the new run).
IdleVerdict DecideIdle(const AgentActivity& activity, TimePoint watching_since, TimePoint now,
                       Duration timeout) noexcept;

// Polls the server every `poll` on env.clock and returns the drain request once DecideIdle says
// kTimedOut, or nullopt when `stopped()` became true first. Idle time counts from the first poll
// that finds the agent online (a listener still starting cannot be given a job, and is not
// stopped half-started). A failed poll is logged (once per
// failure streak) and never counts as idle. Sleeps in slices of at most a second so `stopped`
// is noticed quickly.
class IdlePoller {
 public:
  using Fetch = std::function<Result<AgentActivity>()>;
  IdlePoller(Env& env, Fetch fetch, Duration timeout, Duration poll);
  std::optional<DrainRequest> Run(const std::function<bool()>& stopped);

 private:
  Env& env_;
  Fetch fetch_;
  Duration timeout_;
  Duration poll_;
};

// The production fetch: GET the agent named by `.agent` with includeAssignedRequest and
// includeLastCompletedRequest. `client` and `files` must outlive the function.
IdlePoller::Fetch DevopsActivityFetch(devops::Client& client, agent::AgentFiles& files);

}  // namespace agentboot::lifecycle

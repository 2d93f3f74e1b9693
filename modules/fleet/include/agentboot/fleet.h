// agentboot::fleet — pool housekeeping for admins: garbage-collecting the offline agents that
// agentboot created (`agentboot prune`) and keeping a placeholder (template) agent in place
// (`agentboot placeholder ensure`).
//
// Prune deletes an agent only when ALL hold, on the server's own view:
//   1. it carries agentboot's ownership capability (agent::kOwnerCapability),
//   2. it does not carry the placeholder capability (agent::kPlaceholderCapability),
//   3. its status is "offline" and has been since statusChangedOn for longer than the threshold,
//   4. no job request is assigned to it.
// Ages are measured on the server's clock (its Date header), never the host's: a host whose clock
// runs hours ahead must not see a freshly offline agent as old.
// The decision (DecidePrune) is a pure function. Before each DELETE the agent is read again and
// decided again, so an agent that came back or got a job between the listing and the deletion is
// kept. A server failure stops the run: nothing after it is deleted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/devops.h"

namespace agentboot::fleet {

// ---------------------------------------------------------------------------------------------
// The decision.

enum class Verdict {
  kDelete,
  kKeepNotOwned,     // no agentboot ownership capability
  kKeepPlaceholder,  // a placeholder: never pruned
  kKeepOnline,       // status is not "offline"
  kKeepBusy,         // a job request is assigned
  kKeepRecent,       // offline, but not for longer than the threshold
  kKeepUnknownAge,   // the server gave no statusChangedOn
};
std::string_view VerdictName(Verdict verdict) noexcept;  // "delete", "not owned", ...

// Pure: decides on `agent` as the server described it at `now`.
Verdict DecidePrune(const devops::Agent& agent, TimePoint now, Duration older_than) noexcept;

// ---------------------------------------------------------------------------------------------
// The server seam (production: devops::Client, see NewDevopsFleetServer).

class FleetServer {
 public:
  FleetServer() = default;
  FleetServer(const FleetServer&) = delete;
  FleetServer& operator=(const FleetServer&) = delete;
  virtual ~FleetServer() = default;
  // Pools by name (kNotFound for an unknown name), or every pool the identity administers.
  [[nodiscard]] virtual Result<devops::Pool> FindPool(const std::string& name) = 0;
  [[nodiscard]] virtual Result<std::vector<devops::Pool>> ManagedPools() = 0;
  // Agents with capabilities, the assigned request and statusChangedOn.
  [[nodiscard]] virtual Result<std::vector<devops::Agent>> Agents(int64_t pool_id) = 0;
  [[nodiscard]] virtual Result<devops::Agent> Agent(int64_t pool_id, int64_t agent_id) = 0;
  // kNotFound when already gone.
  [[nodiscard]] virtual Status Delete(int64_t pool_id, int64_t agent_id) = 0;
  // The server's current time (the Date header of an answer). Any error when it is unknown.
  [[nodiscard]] virtual Result<TimePoint> Now() = 0;
};

// `client` and `transport` must outlive the server; `organization_url` is the client's. Now() is
// one GET of _apis/connectionData (any answer carries Date; no token is sent).
std::unique_ptr<FleetServer> NewDevopsFleetServer(devops::Client& client,
                                                  http::Transport& transport,
                                                  std::string organization_url);

// ---------------------------------------------------------------------------------------------
// Prune.

struct PruneOptions {
  std::vector<std::string> pools;  // empty: every pool the identity administers
  Duration older_than{std::chrono::hours(24)};
  bool apply = false;  // false: dry run, nothing is deleted
};

enum class Action {
  kKeep,         // the verdict was "keep"
  kWouldDelete,  // dry run
  kDeleted,
  kAlreadyGone,    // deleted by someone else meanwhile
  kKeptOnRecheck,  // the fresh read before deletion said "keep"
  kFailed,         // the server failed for this agent; the run stopped here
  kSkipped,        // not attempted because an earlier step failed
};
std::string_view ActionName(Action action) noexcept;

struct PruneRow {
  int64_t pool_id = 0;
  std::string pool_name;
  int64_t agent_id = 0;
  std::string agent_name;
  std::string status;
  std::optional<TimePoint> status_changed_on;
  Verdict verdict = Verdict::kKeepNotOwned;
  Action action = Action::kKeep;
  std::string detail;  // the error for kFailed, the fresh verdict for kKeptOnRecheck
};

struct PruneReport {
  std::vector<PruneRow> rows;  // every agent seen, pool by pool
  std::vector<std::string> pools;
  int candidates = 0;  // verdict kDelete on the listing
  int deleted = 0;
  std::optional<TimePoint> server_now;  // the server's time at the listing
  std::optional<Error> error;           // the failure that stopped the run (rows so far are kept)
};

// Reads the server's time once (Now(); its error stops the run before anything is listed),
// then lists, decides and (with apply) deletes, keeping the server's clock by the offset to
// env.clock. Every deletion is logged at info level through
// env.log (source "prune", message "agent deleted", fields pool, agent, id, offline_since):
// the audit line. Never returns without a report; PruneReport::error tells why it stopped.
PruneReport Prune(FleetServer& server, Env& env, const PruneOptions& options);

// ---------------------------------------------------------------------------------------------
// Placeholder.

struct PlaceholderOptions {
  std::string server_url;
  std::string pool = "Default";
  std::string agent_name;
  std::string agent_version = "0.0.0";
  std::string host_name;
  std::map<std::string, std::string> capabilities;  // --capability key=value: kept in step
};

enum class PlaceholderOutcome { kCreated, kUnchanged, kCapabilitiesUpdated };
std::string_view PlaceholderOutcomeName(PlaceholderOutcome outcome) noexcept;

struct PlaceholderResult {
  PlaceholderOutcome outcome = PlaceholderOutcome::kUnchanged;
  int64_t pool_id = 0;
  std::string pool_name;
  int64_t agent_id = 0;
  std::map<std::string, std::string> added;  // capabilities set or changed
  std::vector<std::string> removed;          // capabilities removed
};

// The capabilities a placeholder should carry: the user's plus the ones agentboot owns
// (Agent.*, the ownership and placeholder marks) taken from `current`.
std::map<std::string, std::string> DesiredCapabilities(
    const std::map<std::string, std::string>& current,
    const std::map<std::string, std::string>& wanted);

// Idempotent: registers the offline placeholder when it is missing (agent::Register with
// placeholder), else PUTs its capabilities when they differ from DesiredCapabilities. An agent
// of that name that is not a placeholder is kAlreadyExists (never taken over).
[[nodiscard]] Result<PlaceholderResult> EnsurePlaceholder(devops::Client& client, Env& env,
                                                          const PlaceholderOptions& options);

}  // namespace agentboot::fleet

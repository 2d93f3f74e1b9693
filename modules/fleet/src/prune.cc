// Prune: list, decide, re-check and delete (fleet.h).
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

constexpr std::string_view kSource = "prune";

PruneRow RowFor(const devops::Pool& pool, const devops::Agent& agent, Verdict verdict) {
  PruneRow row;
  row.pool_id = pool.id;
  row.pool_name = pool.name;
  row.agent_id = agent.id;
  row.agent_name = agent.name;
  row.status = agent.status;
  row.status_changed_on = agent.status_changed_on;
  row.verdict = verdict;
  row.action = verdict == Verdict::kDelete ? Action::kWouldDelete : Action::kKeep;
  return row;
}

Result<std::vector<devops::Pool>> PoolsToScan(FleetServer& server, const PruneOptions& options) {
  if (options.pools.empty()) return server.ManagedPools();
  std::vector<devops::Pool> pools;
  for (const std::string& name : options.pools) {
    auto pool = server.FindPool(name);
    if (!pool) return Fail(std::move(pool.error()));
    pools.push_back(std::move(*pool));
  }
  return pools;
}

void Audit(Env& env, const PruneRow& row) {
  env.log.Log(
      LogLevel::kInfo, kSource, "agent deleted",
      {{"pool", row.pool_name},
       {"agent", row.agent_name},
       {"id", std::to_string(row.agent_id)},
       {"offline_since", row.status_changed_on ? FormatUtc(*row.status_changed_on) : "unknown"}});
}

// Re-reads the agent, decides again (on the server's clock: the host's plus `offset`) and
// deletes. The server's error when it failed.
std::optional<Error> DeleteOne(FleetServer& server, Env& env, const PruneOptions& options,
                               Duration offset, PruneRow& row) {
  auto fresh = server.Agent(row.pool_id, row.agent_id);
  if (!fresh && fresh.error().code == ErrorCode::kNotFound) {
    row.action = Action::kAlreadyGone;
    return std::nullopt;
  }
  if (!fresh) {
    row.action = Action::kFailed;
    row.detail = fresh.error().ToString();
    return fresh.error();
  }
  const Verdict now = DecidePrune(*fresh, env.clock.Now() + offset, options.older_than);
  if (now != Verdict::kDelete) {
    row.action = Action::kKeptOnRecheck;
    row.detail = std::string(VerdictName(now));
    return std::nullopt;
  }
  Status deleted = server.Delete(row.pool_id, row.agent_id);
  if (!deleted && deleted.error().code == ErrorCode::kNotFound) {
    row.action = Action::kAlreadyGone;
    return std::nullopt;
  }
  if (!deleted) {
    row.action = Action::kFailed;
    row.detail = deleted.error().ToString();
    return deleted.error();
  }
  row.action = Action::kDeleted;
  Audit(env, row);
  return std::nullopt;
}

}  // namespace

std::string_view ActionName(Action action) noexcept {
  switch (action) {
    case Action::kKeep:
      return "keep";
    case Action::kWouldDelete:
      return "would delete";
    case Action::kDeleted:
      return "deleted";
    case Action::kAlreadyGone:
      return "already gone";
    case Action::kKeptOnRecheck:
      return "kept (changed)";
    case Action::kFailed:
      return "failed";
    case Action::kSkipped:
      return "skipped";
  }
  return "keep";
}

PruneReport Prune(FleetServer& server, Env& env, const PruneOptions& options) {
  PruneReport report;
  auto server_now = server.Now();
  if (!server_now) {
    report.error = server_now.error();
    return report;
  }
  const auto offset = std::chrono::duration_cast<Duration>(*server_now - env.clock.Now());
  report.server_now = *server_now;
  auto pools = PoolsToScan(server, options);
  if (!pools) {
    report.error = pools.error();
    return report;
  }
  for (const devops::Pool& pool : *pools) {
    report.pools.push_back(pool.name);
    auto agents = server.Agents(pool.id);
    if (!agents) {
      report.error = agents.error();
      return report;
    }
    const TimePoint now = env.clock.Now() + offset;
    for (const devops::Agent& agent : *agents) {
      const Verdict verdict = DecidePrune(agent, now, options.older_than);
      report.candidates += verdict == Verdict::kDelete ? 1 : 0;
      report.rows.push_back(RowFor(pool, agent, verdict));
    }
  }
  if (!options.apply) return report;
  for (PruneRow& row : report.rows) {
    if (row.action != Action::kWouldDelete) continue;
    if (report.error) {
      row.action = Action::kSkipped;
      continue;
    }
    if (auto failed = DeleteOne(server, env, options, offset, row)) {
      report.error = std::move(*failed);
      std::string& advice = report.error->advice;
      advice += std::string(advice.empty() ? "" : " ") + "Prune stopped at agent '" +
                row.agent_name + "': nothing after it was deleted; run it again later.";
    }
    report.deleted += row.action == Action::kDeleted ? 1 : 0;
  }
  return report;
}

}  // namespace agentboot::fleet

// `agentboot doctor`: the checks against Azure DevOps (doctor_checks.h).
#include "agentboot/agent.h"
#include "agentboot/http.h"

#include "doctor_checks.h"

namespace agentboot::cli {
namespace {

using doctor::Check;
using doctor::Outcome;

std::string PoolNames(const std::vector<devops::Pool>& pools) {
  std::string names;
  for (const devops::Pool& pool : pools) names += (names.empty() ? "" : ", ") + pool.name;
  return names.empty() ? "none" : names;
}

Check FromError(std::string name, const Error& error) {
  std::string fix = error.advice;
  if (error.code == ErrorCode::kUnauthenticated) {
    fix =
        "Add the identity to the organization (Organization settings > Users) with a Basic "
        "licence; " +
        fix;
  }
  return Check{std::move(name), Outcome::kFail, error.detail, fix};
}

}  // namespace

Check CheckOrganization(devops::Client& client) {
  auto data = client.GetConnectionData();
  if (!data) return FromError("organization access", data.error());
  return doctor::CheckConnectionData(*data);
}

Check CheckClock(App& app, const std::string& url) {
  http::Request request;
  request.url = (EndsWith(url, "/") ? url : url + "/") + "_apis/connectionData";
  request.timeout = std::chrono::seconds(30);
  const TimePoint before = app.env().clock.Now();
  auto response = app.transport().Send(request);
  if (!response) {
    return Check{"clock skew", Outcome::kFail, response.error().detail,
                 "The organization cannot be reached: check the URL, DNS and the proxy."};
  }
  std::optional<TimePoint> date;
  if (auto header = response->Header("Date")) date = http::ParseHttpDate(*header);
  return doctor::CheckClockSkew(date, before, std::chrono::minutes(5));
}

Check CheckPool(devops::Client& client, const std::string& pool_name) {
  auto pool = client.FindPool(pool_name);
  if (!pool && pool.error().code == ErrorCode::kNotFound) {
    auto visible = client.ListPools();
    return Check{
        "pool", Outcome::kFail, "no pool '" + pool_name + "'",
        "Check --pool; visible pools: " + (visible ? PoolNames(*visible) : "unknown") + "."};
  }
  if (!pool) return FromError("pool", pool.error());
  auto managed = client.ListManagedPools();
  if (!managed) return FromError("pool", managed.error());
  for (const devops::Pool& one : *managed) {
    if (one.id == pool->id) {
      return Check{"pool", Outcome::kPass,
                   "'" + pool->name + "' (id " + std::to_string(pool->id) + "): Administrator", ""};
    }
  }
  return Check{"pool", Outcome::kFail,
               "'" + pool->name +
                   "' exists, but this identity does not administer it "
                   "(administers: " +
                   PoolNames(*managed) + ")",
               "Give the identity the Administrator role on the pool (Agent pools > " + pool->name +
                   " > Security)."};
}

Check CheckAgentOnServer(App& app, devops::Client& client, const DoctorFlags& flags) {
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  if (!files.IsConfigured()) {
    return Skipped("registered agent", "no agent is configured in " + flags.agent_dir);
  }
  auto settings = files.LoadSettings();
  if (!settings) return FromError("registered agent", settings.error());
  auto agent = client.GetAgentActivity(settings->pool_id, settings->agent_id);
  if (!agent && agent.error().code == ErrorCode::kNotFound) {
    return Check{"registered agent", Outcome::kFail,
                 "agent '" + settings->agent_name + "' (id " + std::to_string(settings->agent_id) +
                     ") is gone on the server",
                 "Register again: agentboot register (or agentboot run) with this --agent-dir."};
  }
  if (!agent) return FromError("registered agent", agent.error());
  return doctor::CheckRegisteredAgent(*agent);
}

}  // namespace agentboot::cli

#include "devops_jobs.h"

#include <algorithm>

#include "agentboot/base.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

std::optional<std::string> Capability(const json& capabilities, const std::string& name) {
  if (!capabilities.is_object()) return std::nullopt;
  for (const auto& [key, value] : capabilities.items()) {
    if (!EqualsIgnoreCase(key, name)) continue;
    return value.is_string() ? value.get<std::string>() : value.dump();
  }
  return std::nullopt;
}

bool LockTokenMatches(const JobRequestRecord& request, const std::string& token) {
  // The real agent renews and finishes with Guid.Empty; a client that echoes the message's
  // token is accepted too.
  return token.empty() || token == "00000000-0000-0000-0000-000000000000" ||
         EqualsIgnoreCase(token, request.lock_token);
}

}  // namespace

std::optional<Demand> ParseDemand(std::string_view text) {
  const std::string trimmed = Trim(text);
  if (trimmed.empty()) return std::nullopt;
  const std::string lower = ToLower(trimmed);
  const std::string op = " -equals ";
  const size_t at = lower.find(op);
  if (at == std::string::npos) {
    if (trimmed.find(' ') != std::string::npos) return std::nullopt;  // unknown operator
    return Demand{trimmed, std::nullopt};
  }
  Demand demand{Trim(trimmed.substr(0, at)), Trim(trimmed.substr(at + op.size()))};
  if (demand.name.empty() || demand.name.find(' ') != std::string::npos) return std::nullopt;
  return demand;
}

bool SatisfiesDemands(const AgentRecord& agent, const std::vector<std::string>& demands) {
  for (const std::string& text : demands) {
    std::optional<Demand> demand = ParseDemand(text);
    if (!demand) return false;
    std::optional<std::string> value = Capability(agent.user_capabilities, demand->name);
    if (!value) value = Capability(agent.system_capabilities, demand->name);
    if (!value) return false;
    if (demand->equals && *value != *demand->equals) return false;
  }
  return true;
}

bool IsJobResult(std::string_view result) {
  for (const char* known :
       {"succeeded", "succeededWithIssues", "failed", "canceled", "skipped", "abandoned"}) {
    if (EqualsIgnoreCase(result, known)) return true;
  }
  return false;
}

std::string JobState(const JobRequestRecord& request) {
  if (request.finish_time) return "completed";
  if (request.assign_time) return "running";
  return "queued";
}

std::optional<int64_t> PickAgent(const JobRequestRecord& job,
                                 const std::vector<DispatchCandidate>& candidates) {
  std::optional<int64_t> chosen;
  for (const DispatchCandidate& c : candidates) {
    if (c.agent.pool_id != job.pool_id || !c.agent.enabled || !c.has_session || c.busy) continue;
    if (!SatisfiesDemands(c.agent, job.demands)) continue;
    if (!chosen || c.agent.id < *chosen) chosen = c.agent.id;
  }
  return chosen;
}

std::string JobRequestMessageBody(const JobRequestRecord& request, const std::string& agent_name) {
  auto variable = [](const std::string& value) { return json{{"value", value}}; };
  json variables = {{"system.jobId", variable(request.job_id)},
                    {"system.planId", variable(request.plan_id)},
                    {"system.jobDisplayName", variable("Job")},
                    {"agent.name", variable(agent_name)},
                    {kDurationVariable, variable(std::to_string(request.duration_ms))},
                    {kResultVariable, variable(request.requested_result)}};
  json body = {
      {"messageType", kJobRequestMessageType},
      {"plan",
       {{"scopeIdentifier", "0a1b2c3d-0000-4000-8000-000000000001"},
        {"planType", "Build"},
        {"version", 1},
        {"planId", request.plan_id}}},
      {"timeline", {{"id", request.plan_id}, {"changeId", 1}}},
      {"jobId", request.job_id},
      {"jobDisplayName", "Job"},
      {"jobName", "__default"},
      {"requestId", request.request_id},
      {"planId", request.plan_id},
      {"lockToken", request.lock_token},
      {"lockedUntil", request.locked_until ? FormatUtc(*request.locked_until) : ""},
      {"demands", request.demands},
      {"variables", variables},
      {"resources", {{"repositories", json::array()}, {"endpoints", json::array()}}},
      {"steps", json::array({{{"type", "task"}, {"name", "simulated"}, {"displayName", "Work"}}})}};
  return body.dump();
}

std::string AgentRefreshMessageBody(int64_t agent_id, const std::string& target_version) {
  return json{{"agentId", agent_id}, {"targetVersion", target_version}, {"timeout", "00:30:00"}}
      .dump();
}

Result<JobRequestRecord> RenewJobLock(DevOpsOrg& org, int64_t request_id,
                                      const std::string& lock_token, TimePoint now) {
  std::optional<Error> refused;
  Result<JobRequestRecord> updated = org.UpdateJobRequest(request_id, [&](JobRequestRecord& r) {
    if (!r.Running() || !LockTokenMatches(r, lock_token)) {
      refused = MakeError(ErrorCode::kInvalidArgument, "renew job request",
                          "The lock for job request " + std::to_string(request_id) +
                              " is not held by this token or the request has finished.");
      return;
    }
    r.locked_until = now + kJobLockDuration;
    ++r.lock_renewals;
  });
  if (!updated) return updated;
  if (refused) return Fail(*refused);
  return updated;
}

Result<JobRequestRecord> CompleteJob(DevOpsOrg& org, int64_t request_id,
                                     const std::string& lock_token, const std::string& result,
                                     TimePoint finish) {
  std::optional<Error> refused;
  Result<JobRequestRecord> updated = org.UpdateJobRequest(request_id, [&](JobRequestRecord& r) {
    if (!r.Running() || !LockTokenMatches(r, lock_token)) {
      refused = MakeError(ErrorCode::kInvalidArgument, "finish job request",
                          "The lock for job request " + std::to_string(request_id) +
                              " is not held by this token or the request has finished.");
      return;
    }
    r.finish_time = finish;
    r.result = result;
    r.locked_until.reset();
  });
  if (!updated) return updated;
  if (refused) return Fail(*refused);
  return updated;
}

std::vector<JobRequestRecord> JobDispatcher::Dispatch(TimePoint now) {
  MutexLock lock(mu_);
  std::vector<JobRequestRecord> assigned;
  std::vector<JobRequestRecord> requests = org_.AllJobRequests();
  for (const JobRequestRecord& job : requests) {
    if (!job.Queued()) continue;
    std::vector<DispatchCandidate> candidates;
    for (const AgentRecord& agent : org_.Agents(job.pool_id)) {
      DispatchCandidate candidate{agent, board_.FindByAgent(job.pool_id, agent.id).has_value(),
                                  false};
      for (const JobRequestRecord& other : org_.AllJobRequests()) {
        if (other.agent_id == agent.id && other.pool_id == job.pool_id && other.Running()) {
          candidate.busy = true;
        }
      }
      candidates.push_back(std::move(candidate));
    }
    std::optional<int64_t> agent_id = PickAgent(job, candidates);
    if (!agent_id) continue;
    std::string agent_name;
    for (const DispatchCandidate& c : candidates) {
      if (c.agent.id == *agent_id) agent_name = c.agent.name;
    }
    const std::string lock_token = NewGuid(random_);
    Result<JobRequestRecord> updated =
        org_.UpdateJobRequest(job.request_id, [&](JobRequestRecord& r) {
          r.agent_id = *agent_id;
          r.assign_time = now;
          r.lock_token = lock_token;
          r.locked_until = now + kJobLockDuration;
        });
    if (!updated) continue;
    board_.Post(job.pool_id, *agent_id, kJobRequestMessageType,
                JobRequestMessageBody(*updated, agent_name));
    assigned.push_back(*updated);
  }
  return assigned;
}

}  // namespace agentboot::sim::detail

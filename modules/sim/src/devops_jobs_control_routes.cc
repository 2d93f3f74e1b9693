// Control API for jobs and listeners, under /_control/devops: queue a job for a pool and see
// what happened to every job, send an AgentRefresh, list sessions and queued messages, and set
// the message long-poll time.
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

HttpResponse BadRequest(const std::string& message) {
  return HttpResponse::Json(400, {{"error", message}});
}

json Time(const std::optional<TimePoint>& t) { return t ? json(FormatUtc(*t)) : json(nullptr); }

json ControlJobJson(const DevOpsService& service, const JobRequestRecord& job) {
  std::optional<AgentRecord> agent =
      job.agent_id != 0 ? service.org().FindAgent(job.pool_id, job.agent_id) : std::nullopt;
  return {{"request_id", job.request_id},
          {"pool_id", job.pool_id},
          {"state", JobState(job)},
          {"agent_id", job.agent_id != 0 ? json(job.agent_id) : json(nullptr)},
          {"agent_name", agent ? json(agent->name) : json(nullptr)},
          {"requested_result", job.requested_result},
          {"result", job.result.empty() ? json(nullptr) : json(job.result)},
          {"duration_ms", job.duration_ms},
          {"demands", job.demands},
          {"plan_id", job.plan_id},
          {"job_id", job.job_id},
          {"lock_renewals", job.lock_renewals},
          {"queue_time", FormatUtc(job.queue_time)},
          {"assign_time", Time(job.assign_time)},
          {"finish_time", Time(job.finish_time)},
          {"locked_until", Time(job.locked_until)}};
}

std::optional<int64_t> PoolIdOf(const DevOpsService& service, const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {
    if (std::optional<int64_t> id = ParseInt64(value.get<std::string>())) return id;
    if (auto pool = service.org().FindPoolByName(value.get<std::string>())) return pool->id;
  }
  return std::nullopt;
}

HttpResponse QueueJob(DevOpsService& service, const json& body) {
  std::optional<int64_t> pool = PoolIdOf(service, body.value("pool", json(1)));
  if (!pool) return BadRequest("pool (an id or a name) is not known");
  JobRequestRecord job;
  job.pool_id = *pool;
  job.duration_ms = body.value("duration_ms", int64_t{1000});
  job.requested_result = body.value("result", "succeeded");
  if (!IsJobResult(job.requested_result)) return BadRequest("unknown result");
  job.demands = body.value("demands", std::vector<std::string>{});
  job.plan_id = NewGuid(SystemRandom());
  job.job_id = NewGuid(SystemRandom());
  job.queue_time = service.context().Now();
  Result<JobRequestRecord> queued = service.org().QueueJobRequest(job);
  if (!queued) return BadRequest(queued.error().detail);
  service.runtime().dispatcher().Dispatch(service.context().Now());
  std::optional<JobRequestRecord> now = service.org().FindJobRequest(queued->request_id);
  return HttpResponse::Json(200, ControlJobJson(service, now.value_or(*queued)));
}

HttpResponse AgentRefresh(DevOpsService& service, const json& body) {
  const int64_t agent_id = body.value("agent_id", int64_t{0});
  const std::string version = body.value("target_version", "");
  if (agent_id == 0 || !ParsePackageVersion(version)) {
    return BadRequest("agent_id and target_version (a.b.c) are required");
  }
  for (const PoolRecord& pool : service.org().Pools()) {
    if (!service.org().FindAgent(pool.id, agent_id)) continue;
    AgentMessage message = service.runtime().sessions().Post(
        pool.id, agent_id, kAgentRefreshMessageType, AgentRefreshMessageBody(agent_id, version));
    return HttpResponse::Json(200, {{"message_id", message.message_id},
                                    {"pool_id", pool.id},
                                    {"agent_id", agent_id},
                                    {"target_version", version}});
  }
  return BadRequest("agent " + std::to_string(agent_id) + " not found");
}

json Sessions(const DevOpsService& service) {
  json sessions = json::array();
  for (const SessionRecord& s : service.runtime().sessions().Sessions()) {
    json messages = json::array();
    for (const AgentMessage& m : service.runtime().sessions().Messages(s.pool_id, s.agent_id)) {
      messages.push_back({{"message_id", m.message_id}, {"message_type", m.message_type}});
    }
    sessions.push_back({{"session_id", s.session_id},
                        {"pool_id", s.pool_id},
                        {"agent_id", s.agent_id},
                        {"owner_name", s.owner_name},
                        {"created_on", FormatUtc(s.created_on)},
                        {"messages", messages}});
  }
  return {{"count", sessions.size()}, {"sessions", sessions}};
}

json Settings(const DevOpsService& service) {
  const auto poll =
      std::chrono::duration_cast<std::chrono::milliseconds>(service.runtime().message_poll());
  const auto idle =
      std::chrono::duration_cast<std::chrono::milliseconds>(service.runtime().session_idle());
  return {{"message_poll_ms", poll.count()},
          {"keep_deleted_agent_credentials", service.runtime().keep_deleted_credentials()},
          {"session_idle_ms", idle.count()},
          {"omit_agent_authorization", service.runtime().omit_authorization()}};
}

using BodyHandler = HttpResponse (*)(DevOpsService&, const json&);

Handler WithBody(const ServicePtr& service, BodyHandler handler) {
  return Unguarded([service, handler](const HttpRequest& r) {
    std::optional<json> body = JsonBody(r);
    if (!body) return BadRequest("expected a JSON object");
    return handler(*service, *body);
  });
}

}  // namespace

void RegisterDevOpsJobControlRoutes(Router& router, const ServicePtr& service) {
  const std::string control = "/_control/devops";
  router.Add("POST", control + "/jobs/?", WithBody(service, QueueJob));
  router.Add("GET", control + "/jobs/?", Unguarded([service](const HttpRequest&) {
               json jobs = json::array();
               for (const JobRequestRecord& job : service->org().AllJobRequests()) {
                 jobs.push_back(ControlJobJson(*service, job));
               }
               return HttpResponse::Json(200, {{"count", jobs.size()}, {"jobs", jobs}});
             }));
  router.Add("GET", control + "/jobs/([0-9]+)/?", Unguarded([service](const HttpRequest& r) {
               std::optional<JobRequestRecord> job =
                   service->org().FindJobRequest(ParseInt64(r.params.at(0)).value_or(0));
               if (!job) return HttpResponse::Json(404, {{"error", "no such job"}});
               return HttpResponse::Json(200, ControlJobJson(*service, *job));
             }));
  router.Add("POST", control + "/agent-refresh/?", WithBody(service, AgentRefresh));
  router.Add("GET", control + "/sessions/?", Unguarded([service](const HttpRequest&) {
               return HttpResponse::Json(200, Sessions(*service));
             }));
  router.Add("GET", control + "/settings/?", Unguarded([service](const HttpRequest&) {
               return HttpResponse::Json(200, Settings(*service));
             }));
  router.Add(
      "POST", control + "/settings/?", WithBody(service, [](DevOpsService& s, const json& body) {
        if (body.contains("message_poll_ms")) {
          const int64_t ms = body.at("message_poll_ms").get<int64_t>();
          if (ms < 0) return BadRequest("message_poll_ms must be >= 0");
          s.runtime().set_message_poll(std::chrono::milliseconds(ms));
        }
        if (body.contains("keep_deleted_agent_credentials")) {
          s.runtime().set_keep_deleted_credentials(
              body.at("keep_deleted_agent_credentials").get<bool>());
        }
        if (body.contains("session_idle_ms")) {
          const int64_t ms = body.at("session_idle_ms").get<int64_t>();
          if (ms <= 0) return BadRequest("session_idle_ms must be > 0");
          s.runtime().set_session_idle(std::chrono::milliseconds(ms));
        }
        if (body.contains("omit_agent_authorization")) {
          s.runtime().set_omit_authorization(body.at("omit_agent_authorization").get<bool>());
        }
        return HttpResponse::Json(200, Settings(s));
      }));
}

}  // namespace agentboot::sim::detail

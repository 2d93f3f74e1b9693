// Job lock renewal and completion (agent-contract §3, JobDispatcher.RenewJobRequestAsync and
// FinishAgentRequest): PATCH …/pools/{poolId}/jobrequests/{requestId}?lockToken=<guid>. A body
// with `finishTime` or `result` completes the request; anything else renews the lock.
#include "devops_service.h"
#include "devops_wire.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

HttpResponse JobNotFound(const std::string& id) {
  return WrappedException(404, "TaskAgentJobNotFoundException",
                          "The job request " + id + " could not be found.");
}

HttpResponse UpdateJobRequest(DevOpsService& service, const HttpRequest& r, const Principal& p) {
  std::optional<int64_t> pool_id = ParseInt64(r.params.at(0));
  std::optional<int64_t> request_id = ParseInt64(r.params.at(1));
  std::optional<JobRequestRecord> job =
      request_id ? service.org().FindJobRequest(*request_id) : std::nullopt;
  if (!job || !pool_id || job->pool_id != *pool_id) return JobNotFound(r.params.at(1));
  if (p.is_agent) {
    std::optional<AgentRecord> agent = service.org().FindAgentByClientId(p.id);
    if (!agent || agent->id != job->agent_id) {
      return WrappedException(403, "AccessDeniedException",
                              "Access denied. The job request is reserved for another agent.");
    }
  }
  json body = JsonBody(r).value_or(json::object());
  const std::string token = r.Query("lockToken").value_or("");
  const bool finishing = (body.contains("finishTime") && !body["finishTime"].is_null()) ||
                         (body.contains("result") && !body["result"].is_null());
  Result<JobRequestRecord> updated;
  if (finishing) {
    const std::string result = body.value("result", "succeeded");
    if (!IsJobResult(result)) {
      return WrappedException(400, "ArgumentException", "Unknown job result " + result + ".");
    }
    updated = CompleteJob(service.org(), job->request_id, token, result, service.context().Now());
  } else {
    updated = RenewJobLock(service.org(), job->request_id, token, service.context().Now());
  }
  if (!updated) {
    if (updated.error().code == ErrorCode::kNotFound) return JobNotFound(r.params.at(1));
    return WrappedException(409, "TaskAgentJobTokenExpiredException", updated.error().detail);
  }
  // A finished job frees its agent for the next queued request.
  if (finishing) service.runtime().dispatcher().Dispatch(service.context().Now());
  std::optional<AgentRecord> agent = service.org().FindAgent(updated->pool_id, updated->agent_id);
  return HttpResponse::Json(200, JobRequestJson(*updated, agent ? agent->name : std::string()));
}

}  // namespace

void RegisterDevOpsJobRoutes(Router& router, const ServicePtr& service) {
  const std::string pool =
      OrgPathPrefix(service->context()) + "/_apis/distributedtask/pools/([0-9]+)";
  router.Add("PATCH", pool + "/jobrequests/([0-9]+)/?",
             Guarded(service, true, [service](const HttpRequest& r, const Principal& p) {
               return UpdateJobRequest(*service, r, p);
             }));
}

}  // namespace agentboot::sim::detail

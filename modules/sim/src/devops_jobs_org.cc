// DevOpsOrg's dispatched-job storage: queueing a request before any agent is chosen, and the
// updates the dispatcher and the job-request routes make (assignment, lock renewal, completion).
#include <algorithm>

#include "devops_org.h"

namespace agentboot::sim::detail {

Result<JobRequestRecord> DevOpsOrg::QueueJobRequest(JobRequestRecord request) {
  MutexLock lock(mu_);
  const bool pool_exists = std::any_of(
      pools_.begin(), pools_.end(), [&](const PoolRecord& p) { return p.id == request.pool_id; });
  if (!pool_exists) {
    return Fail(ErrorCode::kNotFound, "queue job request",
                "Agent pool " + std::to_string(request.pool_id) + " could not be found.");
  }
  request.request_id = next_request_id_++;
  job_requests_.push_back(request);
  SaveLocked();
  return request;
}

std::vector<JobRequestRecord> DevOpsOrg::AllJobRequests() const {
  MutexLock lock(mu_);
  return job_requests_;
}

std::optional<JobRequestRecord> DevOpsOrg::FindJobRequest(int64_t request_id) const {
  MutexLock lock(mu_);
  for (const JobRequestRecord& request : job_requests_) {
    if (request.request_id == request_id) return request;
  }
  return std::nullopt;
}

Result<JobRequestRecord> DevOpsOrg::UpdateJobRequest(
    int64_t request_id, const std::function<void(JobRequestRecord&)>& mutate) {
  MutexLock lock(mu_);
  for (JobRequestRecord& stored : job_requests_) {
    if (stored.request_id != request_id) continue;
    JobRequestRecord updated = stored;
    mutate(updated);
    updated.request_id = stored.request_id;
    updated.pool_id = stored.pool_id;
    stored = updated;
    SaveLocked();
    return updated;
  }
  return Fail(ErrorCode::kNotFound, "update job request",
              "The job request " + std::to_string(request_id) + " could not be found.");
}

}  // namespace agentboot::sim::detail

#include "listener_job.h"

#include <iostream>

namespace agentboot::fake_agent {
namespace {

using nlohmann::json;

std::string Variable(const json& variables, const char* name) {
  auto it = variables.find(name);
  if (it == variables.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("value") && (*it)["value"].is_string()) {
    return (*it)["value"].get<std::string>();
  }
  return "";
}

}  // namespace

Result<JobMessage> ParseJobMessage(const std::string& body) {
  json message = json::parse(body, nullptr, false);
  if (!message.is_object() || !message.contains("requestId") ||
      !message["requestId"].is_number_integer()) {
    return Fail(ErrorCode::kInvalidArgument, "job message", "no requestId");
  }
  JobMessage job;
  job.request_id = message["requestId"].get<int64_t>();
  job.job_id = message.value("jobId", "");
  job.lock_token = message.value("lockToken", "");
  job.plan_id = message.value("planId", "");
  if (message.contains("plan") && message["plan"].is_object()) {
    job.plan_id = message["plan"].value("planId", job.plan_id);
  }
  const json variables = message.value("variables", json::object());
  job.duration_ms = ParseInt64(Variable(variables, "system.duration_ms")).value_or(0);
  const std::string result = Variable(variables, "agentboot.sim.result");
  if (!result.empty()) job.result = result;
  return job;
}

JobRunner::~JobRunner() {
  Cancel();
  if (thread_.joinable()) thread_.join();
}

bool JobRunner::busy() const {
  std::lock_guard lock(mu_);
  return busy_;
}

void JobRunner::Start(JobMessage job, std::function<void(const std::string&)> finished) {
  if (thread_.joinable()) thread_.join();  // the previous job has finished (not busy)
  {
    std::lock_guard lock(mu_);
    job_ = std::move(job);
    busy_ = true;
    cancel_ = false;
  }
  thread_ = std::thread([this, finished = std::move(finished)] { Run(finished); });
}

void JobRunner::Cancel() {
  std::lock_guard lock(mu_);
  cancel_ = true;
  wakeup_.notify_all();
}

void JobRunner::Join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void JobRunner::Patch(const json& body) {
  const std::string path = "_apis/distributedtask/pools/" +
                           std::to_string(server_.settings().pool_id) + "/jobrequests/" +
                           std::to_string(job_.request_id) + "?lockToken=" + job_.lock_token;
  Result<HttpAnswer> answer = server_.Call("PATCH", path, body);
  if (!answer) {
    std::cerr << "Job request update failed: " << answer.error().ToString() << "\n";
  } else if (answer->status != 200) {
    std::cerr << "Job request update answered HTTP " << answer->status << "\n";
  }
}

void JobRunner::Run(std::function<void(const std::string&)> finished) {
  std::cout << "Running job: " << job_.job_id << std::endl;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(job_.duration_ms);
  bool canceled = false;
  for (;;) {
    // JobDispatcher renews the lock as soon as the job starts, then on an interval.
    Patch({{"requestId", job_.request_id}});
    std::unique_lock lock(mu_);
    const auto next = std::min(end, std::chrono::steady_clock::now() + renew_interval_);
    wakeup_.wait_until(lock, next, [&] { return cancel_; });
    if (cancel_) {
      canceled = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= end) break;
  }
  const std::string result = canceled ? "canceled" : job_.result;
  Patch({{"requestId", job_.request_id},
         {"finishTime", FormatUtc(SystemClock().Now())},
         {"result", result}});
  std::cout << "Job " << job_.job_id << " completed with result: " << result << std::endl;
  {
    std::lock_guard lock(mu_);
    busy_ = false;
  }
  finished(result);
}

}  // namespace agentboot::fake_agent

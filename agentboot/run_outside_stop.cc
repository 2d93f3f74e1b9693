#include "run_outside_stop.h"

#include <csignal>

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "run";
constexpr int kSigtermExitCode = 128 + SIGTERM;

bool CancelledResult(devops::JobResult result) {
  return result == devops::JobResult::kCanceled || result == devops::JobResult::kAbandoned;
}

// "2026-12-01T15:10:00.123Z" and "2026-12-01T15:10:00Z" compare by their first 19 characters.
std::string Seconds(const std::string& utc) { return utc.substr(0, 19); }

}  // namespace

bool EndedBySigterm(const supervisor::ExitStatus& status) {
  return status.signal == SIGTERM || (!status.signaled() && status.code == kSigtermExitCode);
}

void OutsideStop::StopSignalReceived() {
  if (!first_stop_) first_stop_ = clock_.Now();
}

bool OutsideStop::ListenerEnded(const supervisor::ExitStatus& status) {
  if (!first_stop_ || !EndedBySigterm(status)) return false;
  exit_ = status;
  return true;
}

std::optional<bool> OutsideStop::JobCancelled(devops::Client& client,
                                              const agent::Registration& registration) {
  if (!first_stop_) return false;
  auto requests = client.ListJobRequests(registration.pool_id, registration.agent_id, 5);
  if (!requests) return std::nullopt;
  const std::string since = Seconds(FormatUtc(*first_stop_));
  for (const auto& request : *requests) {
    if (request.agent_id != registration.agent_id) continue;
    if (request.Running()) return true;  // the listener died without finishing it
    if (request.finish_time && Seconds(*request.finish_time) >= since &&
        CancelledResult(request.result_kind)) {
      return true;
    }
  }
  return false;
}

void OutsideStop::Report(Logger& log, std::optional<bool> job_cancelled) const {
  if (!exit_) return;
  const std::string cancelled = !job_cancelled ? "unknown" : *job_cancelled ? "true" : "false";
  std::vector<LogField> fields{{"listener_exit", exit_->ToString()},
                               {"job_cancelled", cancelled},
                               {"advice",
                                "stop agentboot alone: systemd KillMode=mixed (images/ ships it), "
                                "docker stop / kill the agentboot process, not its group"}};
  if (job_cancelled == true) {
    log.Log(LogLevel::kError, kSource,
            "JOB CANCELLED: the listener got SIGTERM directly, not through agentboot, and "
            "cancelled its running job; the drain could not let it finish",
            fields);
    return;
  }
  log.Log(LogLevel::kWarning, kSource,
          "the listener got SIGTERM directly, not through agentboot; it was not restarted", fields);
}

}  // namespace agentboot::cli

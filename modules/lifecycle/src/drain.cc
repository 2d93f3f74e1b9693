// The drain sequence (lifecycle.h): disable, wait idle, stop the listener, delete or re-enable,
// acknowledge.
#include <algorithm>

#include "agentboot/lifecycle.h"

#include "drain_request.h"

namespace agentboot::lifecycle {
namespace {

constexpr std::string_view kSource = "drain";

std::string Seconds(Duration d) {
  return std::to_string(std::max<int64_t>(0, d / std::chrono::seconds(1))) + "s";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

DrainReport Controller::Drain(DrainRequest request, bool listener_running) {
  Clock& clock = env_.clock;
  Logger& log = env_.log;
  const TimePoint start = clock.Now();
  hurry_ = false;
  DrainReport report;
  report.reason = request.reason;
  // The SIGINT deadline: the drain timeout, and for a scheduled event its NotBefore (minus a
  // margin for stopping and cleaning up). Later requests (a second event) can only shorten it.
  auto deadline_for = [&](const DrainRequest& r) {
    TimePoint deadline = start + policy_.drain_timeout;
    if (r.not_before) deadline = std::min(deadline, *r.not_before - policy_.event_margin);
    return deadline;
  };
  TimePoint deadline = deadline_for(request);
  auto absorb = [&] {
    if (!pending_drain_) return;
    detail::Merge(request, std::move(*pending_drain_));
    pending_drain_.reset();
    deadline = std::min(deadline, deadline_for(request));
  };
  log.Log(LogLevel::kInfo, kSource, "draining the agent",
          {{"reason", request.reason},
           {"deadline_in", Seconds(std::chrono::duration_cast<Duration>(deadline - start))},
           {"events", Join(request.event_ids)}});
  if (callbacks_.on_drain_started) callbacks_.on_drain_started(request);

  auto listener_gone = [&] { return listener_ended_ || shutdown_; };
  auto cut_short = [&] {
    absorb();
    return hurry_ || listener_gone() || clock.Now() >= deadline;
  };

  // 1. No new job: disable the agent (an agent already gone has nothing to drain).
  auto disabled = Retry(
      "disable the agent", deadline,
      [&]() -> Status {
        auto status = agent_.SetEnabled(false);
        if (!status && status.error().code == ErrorCode::kNotFound) return Status{};
        return status;
      },
      cut_short);
  report.disabled = disabled.has_value();
  if (report.disabled) log.Log(LogLevel::kInfo, kSource, "agent disabled: no new job is assigned");

  // 2. Wait until no job is assigned (or the listener ends by itself: --once after its job).
  std::optional<bool> busy;
  bool announced = false;
  while (!cut_short()) {
    auto assigned = agent_.HasAssignedJob();
    if (assigned) {
      busy = *assigned;
    } else if (assigned.error().code == ErrorCode::kNotFound) {
      busy = false;
    } else {
      log.Log(LogLevel::kWarning, kSource, "cannot tell whether a job is running; asking again",
              {{"error", assigned.error().ToString()}});
    }
    if (busy == false) break;
    if (busy == true && !announced) {
      announced = true;
      log.Log(
          LogLevel::kInfo, kSource, "waiting for the running job to finish",
          {{"deadline_in", Seconds(std::chrono::duration_cast<Duration>(deadline - clock.Now()))}});
    }
    WaitUntil(std::min(clock.Now() + policy_.poll_interval, deadline), cut_short);
  }

  // 3. Stop the listener.
  if (listener_running && !listener_gone()) {
    if (busy != false) {
      report.job_cancelled = busy == true;
      report.idle_unconfirmed = !busy.has_value();
      const std::string why = hurry_ ? "a second stop signal" : "the drain deadline";
      log.Log(LogLevel::kError, kSource,
              busy == true ? "JOB CANCELLED: " + why +
                                 " came while a job was still running; stopping the listener "
                                 "cancels it"
                           : "could not confirm that no job is running before " + why +
                                 "; stopping the listener anyway",
              {{"drain_timeout", Seconds(policy_.drain_timeout)},
               {"advice",
                "give jobs more time with --drain-timeout (and a longer "
                "terminationGracePeriodSeconds, TimeoutStopSec or Terminate notice)"}});
    }
    listener_.Stop();
    if (!WaitUntil(clock.Now() + policy_.listener_stop_timeout, listener_gone)) {
      log.Log(LogLevel::kError, kSource, "the listener did not stop in time");
    }
    report.listener_stopped = listener_ended_;
  } else {
    report.listener_stopped = true;
  }

  // 4. Leave nothing behind (or come back enabled). Only a shutdown interrupts the retries; for a
  // scheduled event they end at NotBefore (the VM goes away), but not before 30 s.
  TimePoint cleanup_deadline = clock.Now() + policy_.cleanup_timeout;
  if (request.not_before) {
    cleanup_deadline = std::min(
        cleanup_deadline, std::max(*request.not_before, clock.Now() + std::chrono::seconds(30)));
  }
  auto only_shutdown = [&] { return shutdown_; };
  if (!listener_running && busy != false) {
    report.cleanup = Cleanup::kFailed;
    report.cleanup_error = MakeError(
        ErrorCode::kDeadlineExceeded, "drain",
        busy == true ? "a job is still running on the agent; it was left disabled"
                     : "could not confirm that no job is running; the agent was left disabled",
        "Run `agentboot drain` again once the job has finished, or raise --drain-timeout.");
  } else if (policy_.keep_registration) {
    auto enabled = Retry(
        "re-enable the agent", cleanup_deadline, [&] { return agent_.SetEnabled(true); },
        only_shutdown);
    report.cleanup = enabled ? Cleanup::kReenabled : Cleanup::kFailed;
    if (!enabled) report.cleanup_error = enabled.error();
  } else {
    auto removed = Retry(
        "delete the agent", cleanup_deadline, [&] { return agent_.Remove(); }, only_shutdown);
    report.cleanup = removed ? Cleanup::kRemoved : Cleanup::kFailed;
    if (!removed) report.cleanup_error = removed.error();
  }

  // 5. Let Azure go ahead without waiting for NotBefore.
  absorb();
  if (!request.event_ids.empty()) {
    Status acked =
        Fail(ErrorCode::kInternal, "acknowledge scheduled events", "no acknowledgement callback");
    if (callbacks_.acknowledge_events) {
      acked = Retry(
          "acknowledge the scheduled events",
          std::max(cleanup_deadline, clock.Now() + std::chrono::seconds(30)),
          [&] { return callbacks_.acknowledge_events(request.event_ids); }, only_shutdown);
    }
    if (acked) {
      report.acknowledged = request.event_ids;
    } else {
      report.acknowledge_error = acked.error();
    }
  }

  report.duration = std::chrono::duration_cast<Duration>(clock.Now() - start);
  std::vector<LogField> fields{{"reason", report.reason},
                               {"duration", Seconds(report.duration)},
                               {"job_cancelled", report.job_cancelled ? "true" : "false"},
                               {"cleanup", std::string(CleanupName(report.cleanup))}};
  if (report.cleanup_error) fields.push_back({"cleanup_error", report.cleanup_error->ToString()});
  if (!report.acknowledged.empty()) fields.push_back({"acknowledged", Join(report.acknowledged)});
  if (report.acknowledge_error) {
    fields.push_back({"acknowledge_error", report.acknowledge_error->ToString()});
  }
  log.Log(report.ok() ? LogLevel::kInfo : LogLevel::kError, kSource,
          report.ok() ? "drain finished" : "drain finished with problems", fields);
  if (callbacks_.on_drain_finished) callbacks_.on_drain_finished(report);
  return report;
}

}  // namespace agentboot::lifecycle

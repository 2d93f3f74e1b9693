// The drain sequence (lifecycle.h) as a table of named steps: disabling, waiting idle, stopping,
// cleaning, acknowledging, done. Each step is one function that returns the next step.
#include <algorithm>
#include <array>
#include <utility>

#include "sequencer.h"

namespace agentboot::lifecycle::detail {
namespace {

constexpr std::string_view kSource = "drain";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

class DrainSteps {
 public:
  DrainSteps(Sequencer& core, DrainRequest request, bool listener_running);
  DrainReport Run();

 private:
  friend struct DrainTable;
  Step Disabling();
  Step WaitingIdle();
  Step Stopping();
  Step Cleaning();
  Step Acknowledging();

  void Announce(Step step) const;
  void Finish();
  // The SIGINT deadline: the drain timeout, and for a scheduled event its NotBefore (minus a
  // margin for stopping and cleaning up).
  TimePoint DeadlineFor(const DrainRequest& request) const;
  // Takes in a drain request that arrived meanwhile: later requests can only shorten the drain.
  void Absorb();
  // A wait for the listener to go idle ends early: a second stop signal, the listener's end, the
  // deadline.
  bool CutShort();
  bool OnlyShutdown() const { return core_.inbox.shutdown; }
  void LogCancellation() const;
  // The drain's own part for its log: "true" when its stop cancelled a job, "unknown" when it
  // stopped the listener before the server said no job runs, "false" otherwise. A job the
  // listener cancelled on its own (an outside SIGTERM) is not the drain's to report: `run` reports
  // it from the server's job requests ("JOB CANCELLED ... job_cancelled=true").
  std::string_view DrainCancelledJob() const;
  Status RetryCleanup(std::string_view what, const std::function<Status()>& attempt);

  Sequencer& core_;
  Clock& clock_;
  Logger& log_;
  DrainRequest request_;
  const bool listener_running_;
  const TimePoint start_;
  TimePoint deadline_;
  IdleResult idle_ = IdleResult::kUnknown;
  TimePoint cleanup_deadline_{};
  DrainReport report_;
};

// Each step and the function that runs it (and returns the next step).
struct DrainTable {
  using Function = Step (DrainSteps::*)();
  static constexpr std::array<std::pair<Step, Function>, 5> kRows{{
      {Step::kDisabling, &DrainSteps::Disabling},
      {Step::kWaitingIdle, &DrainSteps::WaitingIdle},
      {Step::kStopping, &DrainSteps::Stopping},
      {Step::kCleaning, &DrainSteps::Cleaning},
      {Step::kAcknowledging, &DrainSteps::Acknowledging},
  }};
};

DrainSteps::DrainSteps(Sequencer& core, DrainRequest request, bool listener_running)
    : core_(core),
      clock_(core.env.clock),
      log_(core.env.log),
      request_(std::move(request)),
      listener_running_(listener_running),
      start_(clock_.Now()),
      deadline_(DeadlineFor(request_)) {
  report_.reason = request_.reason;
}

DrainReport DrainSteps::Run() {
  core_.inbox.hurry = false;
  log_.Log(LogLevel::kInfo, kSource, "draining the agent",
           {{"reason", request_.reason},
            {"deadline_in", Seconds(std::chrono::duration_cast<Duration>(deadline_ - start_))},
            {"events", Join(request_.event_ids)}});
  if (core_.callbacks.on_drain_started) core_.callbacks.on_drain_started(request_);
  Step step = Step::kDisabling;
  while (step != Step::kDone) {
    const auto& rows = DrainTable::kRows;
    const auto entry =
        std::find_if(rows.begin(), rows.end(), [&](const auto& row) { return row.first == step; });
    Announce(step);
    step = (this->*entry->second)();
  }
  Announce(Step::kDone);
  Finish();
  return report_;
}

void DrainSteps::Announce(Step step) const {
  const Duration after_stop = core_.policy.listener_stop_timeout + core_.policy.cleanup_timeout;
  core_.Report({Sequence::kDrain, step, deadline_,
                deadline_ + after_stop + std::chrono::seconds(30)});  // + the acknowledgement
}

TimePoint DrainSteps::DeadlineFor(const DrainRequest& request) const {
  TimePoint deadline = start_ + core_.policy.drain_timeout;
  if (request.not_before)
    deadline = std::min(deadline, *request.not_before - core_.policy.event_margin);
  return deadline;
}

void DrainSteps::Absorb() {
  if (!core_.inbox.drain) return;
  Merge(request_, std::move(*core_.inbox.drain));
  core_.inbox.drain.reset();
  deadline_ = std::min(deadline_, DeadlineFor(request_));
}

bool DrainSteps::CutShort() {
  Absorb();
  return core_.inbox.hurry || core_.ListenerGone() || clock_.Now() >= deadline_;
}

// 1. No new job: disable the agent (an agent already gone has nothing to drain).
Step DrainSteps::Disabling() {
  auto disabled = core_.Retry(
      "disable the agent", deadline_,
      [&]() -> Status {
        auto status = core_.agent.SetEnabled(false);
        if (!status && status.error().code == ErrorCode::kNotFound) return Status{};
        return status;
      },
      [&] { return CutShort(); });
  report_.disabled = disabled.has_value();
  if (report_.disabled)
    log_.Log(LogLevel::kInfo, kSource, "agent disabled: no new job is assigned");
  return Step::kWaitingIdle;
}

// 2. Wait until no job is assigned (or the listener ends by itself: --once after its job).
Step DrainSteps::WaitingIdle() {
  idle_ = core_.WaitIdle(kSource, deadline_, [&] { return CutShort(); });
  if (listener_running_ && !core_.ListenerGone()) return Step::kStopping;
  report_.listener_stopped = true;  // not ours to stop, or it ended by itself
  return Step::kCleaning;
}

void DrainSteps::LogCancellation() const {
  const std::string why = core_.inbox.hurry ? "a second stop signal" : "the drain deadline";
  log_.Log(LogLevel::kError, kSource,
           idle_ == IdleResult::kBusy
               ? "JOB CANCELLED: " + why +
                     " came while a job was still running; stopping the listener cancels it"
               : "could not confirm that no job is running before " + why +
                     "; stopping the listener anyway",
           {{"drain_timeout", Seconds(core_.policy.drain_timeout)},
            {"advice",
             "give jobs more time with --drain-timeout (and a longer "
             "terminationGracePeriodSeconds, TimeoutStopSec or Terminate notice)"}});
}

// 3. Stop the listener (a job still running is cancelled, and the report says so).
Step DrainSteps::Stopping() {
  if (idle_ != IdleResult::kIdle) {
    report_.job_cancelled = idle_ == IdleResult::kBusy;
    report_.idle_unconfirmed = idle_ == IdleResult::kUnknown;
    LogCancellation();
  }
  core_.listener.Stop();
  if (!core_.WaitUntil(clock_.Now() + core_.policy.listener_stop_timeout,
                       [&] { return core_.ListenerGone(); })) {
    log_.Log(LogLevel::kError, kSource, "the listener did not stop in time");
  }
  report_.listener_stopped = core_.inbox.listener == ListenerState::kEnded;
  return Step::kCleaning;
}

Status DrainSteps::RetryCleanup(std::string_view what, const std::function<Status()>& attempt) {
  return core_.Retry(what, cleanup_deadline_, attempt, [&] { return OnlyShutdown(); });
}

// 4. Leave nothing behind (or come back enabled). Only a shutdown interrupts the retries; for a
// scheduled event they end at NotBefore (the VM goes away), but not before 30 s.
Step DrainSteps::Cleaning() {
  cleanup_deadline_ = clock_.Now() + core_.policy.cleanup_timeout;
  if (request_.not_before) {
    cleanup_deadline_ = std::min(
        cleanup_deadline_, std::max(*request_.not_before, clock_.Now() + std::chrono::seconds(30)));
  }
  if (!listener_running_ && idle_ != IdleResult::kIdle) {
    report_.cleanup = Cleanup::kFailed;
    report_.cleanup_error = MakeError(
        ErrorCode::kDeadlineExceeded, "drain",
        idle_ == IdleResult::kBusy
            ? "a job is still running on the agent; it was left disabled"
            : "could not confirm that no job is running; the agent was left disabled",
        "Run `agentboot drain` again once the job has finished, or raise --drain-timeout.");
    return Step::kAcknowledging;
  }
  const bool keep = core_.policy.keep_registration;
  auto done =
      keep ? RetryCleanup("re-enable the agent", [&] { return core_.agent.SetEnabled(true); })
           : RetryCleanup("delete the agent", [&] { return core_.agent.Remove(); });
  report_.cleanup = !done ? Cleanup::kFailed : keep ? Cleanup::kReenabled : Cleanup::kRemoved;
  if (!done) report_.cleanup_error = done.error();
  return Step::kAcknowledging;
}

// 5. Let Azure go ahead without waiting for NotBefore.
Step DrainSteps::Acknowledging() {
  Absorb();
  if (request_.event_ids.empty()) return Step::kDone;
  Status acked =
      Fail(ErrorCode::kInternal, "acknowledge scheduled events", "no acknowledgement callback");
  if (core_.callbacks.acknowledge_events) {
    acked = core_.Retry(
        "acknowledge the scheduled events",
        std::max(cleanup_deadline_, clock_.Now() + std::chrono::seconds(30)),
        [&] { return core_.callbacks.acknowledge_events(request_.event_ids); },
        [&] { return OnlyShutdown(); });
  }
  if (acked) {
    report_.acknowledged = request_.event_ids;
  } else {
    report_.acknowledge_error = acked.error();
  }
  return Step::kDone;
}

std::string_view DrainSteps::DrainCancelledJob() const {
  if (report_.job_cancelled) return "true";
  return report_.idle_unconfirmed ? "unknown" : "false";
}

void DrainSteps::Finish() {
  report_.duration = std::chrono::duration_cast<Duration>(clock_.Now() - start_);
  std::vector<LogField> fields{{"reason", report_.reason},
                               {"duration", Seconds(report_.duration)},
                               {"drain_cancelled_job", std::string(DrainCancelledJob())},
                               {"cleanup", std::string(CleanupName(report_.cleanup))}};
  if (report_.cleanup_error) fields.push_back({"cleanup_error", report_.cleanup_error->ToString()});
  if (!report_.acknowledged.empty()) fields.push_back({"acknowledged", Join(report_.acknowledged)});
  if (report_.acknowledge_error) {
    fields.push_back({"acknowledge_error", report_.acknowledge_error->ToString()});
  }
  log_.Log(report_.ok() ? LogLevel::kInfo : LogLevel::kError, kSource,
           report_.ok() ? "drain finished" : "drain finished with problems", fields);
  if (core_.callbacks.on_drain_finished) core_.callbacks.on_drain_finished(report_);
}

}  // namespace

DrainReport RunDrain(Sequencer& core, DrainRequest request, bool listener_running) {
  return DrainSteps(core, std::move(request), listener_running).Run();
}

}  // namespace agentboot::lifecycle::detail

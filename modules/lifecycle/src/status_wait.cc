// Waiting on the status file (lifecycle_status.h): what `agentboot rotate` and `agentboot drain`
// conclude from it.
#include "agentboot/lifecycle_status.h"

namespace agentboot::lifecycle {
namespace {

bool Ours(const std::optional<RunStatus>& status, int pid) {
  return status && status->agentboot_pid == pid;
}

bool Ending(RunPhase phase) {
  return phase == RunPhase::kDraining || phase == RunPhase::kStopping ||
         phase == RunPhase::kStopped;
}

WaitResult Conclude(WaitOutcome outcome, std::string detail, const std::optional<RunStatus>& last) {
  return WaitResult{outcome, std::move(detail), last};
}

// A finished rotation that put a new key in place: done once a listener runs with it.
std::optional<WaitResult> JudgeRotated(const RunStatus& status) {
  const RotationStatus& rotation = status.rotation;
  if (status.listener.pid != 0 && status.listener.key_generation == rotation.generation) {
    return Conclude(WaitOutcome::kDone,
                    "key generation " + std::to_string(rotation.generation) +
                        " is in place and the listener (pid " +
                        std::to_string(status.listener.pid) + ") was relaunched with it",
                    status);
  }
  if (Ending(status.phase)) {
    return Conclude(WaitOutcome::kEnded,
                    "the new key is in place, but agentboot is " +
                        std::string(RunPhaseName(status.phase)) +
                        ": the listener was not relaunched with it",
                    status);
  }
  return std::nullopt;  // the listener is being relaunched
}

}  // namespace

int RotationBaseline(const std::optional<RunStatus>& status, int pid) {
  return Ours(status, pid) ? status->rotation.attempt : 0;
}

std::optional<WaitResult> JudgeRotation(const std::optional<RunStatus>& status, int pid,
                                        int baseline) {
  if (!Ours(status, pid)) return std::nullopt;
  const RotationStatus& rotation = status->rotation;
  if (rotation.finished_attempt > baseline) {
    if (rotation.last_result == RotationResultName(RotationResult::kRotated)) {
      return JudgeRotated(*status);
    }
    const std::string what =
        rotation.last_result == RotationResultName(RotationResult::kBusy) ? "was postponed"
        : rotation.last_result == RotationResultName(RotationResult::kInterrupted)
            ? "was interrupted"
            : "failed";
    return Conclude(
        WaitOutcome::kRefused,
        "the rotation " + what + (rotation.last_error.empty() ? "" : ": " + rotation.last_error),
        status);
  }
  if (Ending(status->phase)) {
    return Conclude(
        WaitOutcome::kEnded,
        "agentboot is " + std::string(RunPhaseName(status->phase)) + " and will not rotate the key",
        status);
  }
  return std::nullopt;
}

namespace {

std::string Agentboot(int pid) { return "agentboot (pid " + std::to_string(pid) + ")"; }

WaitResult RotationTimedOut(int pid, const std::optional<RunStatus>& last) {
  if (!last) {
    return Conclude(WaitOutcome::kTimedOut,
                    Agentboot(pid) + " wrote no status file (an older release?)", last);
  }
  const std::string& step = last->rotation.step;
  return Conclude(WaitOutcome::kTimedOut,
                  "the rotation has not finished yet (step: " +
                      (step.empty() ? std::string("not started") : step) + ")",
                  last);
}

// The process ended: its drain's outcome, as its last status tells (none: it just ended).
WaitResult DrainEnded(int pid, const std::optional<RunStatus>& last) {
  const bool finished = last && last->drain.state == DrainState::kFinished;
  if (finished && !last->drain.ok) {
    const std::string& error = last->drain.error;
    return Conclude(WaitOutcome::kRefused,
                    "the drain finished with problems: " +
                        (error.empty() ? std::string("see agentboot's log") : error),
                    last);
  }
  return Conclude(WaitOutcome::kDone, Agentboot(pid) + " has finished", last);
}

WaitResult DrainTimedOut(int pid, const std::optional<RunStatus>& last) {
  const bool step_known = last && !last->drain.step.empty();
  return Conclude(WaitOutcome::kTimedOut,
                  Agentboot(pid) + " is still draining" +
                      (step_known ? " (step: " + last->drain.step + ")" : std::string()),
                  last);
}

}  // namespace

WaitResult WaitForRotation(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                           int baseline, TimePoint deadline, Duration poll) {
  std::optional<RunStatus> last;
  for (;;) {
    const bool running = alive();  // before the read: a status written at the end counts
    auto status = read();
    if (Ours(status, pid)) last = status;
    if (auto judged = JudgeRotation(status, pid, baseline)) return *judged;
    if (!running) {
      return Conclude(WaitOutcome::kEnded, Agentboot(pid) + " ended before the rotation", last);
    }
    if (clock.Now() >= deadline) return RotationTimedOut(pid, last);
    clock.SleepFor(poll);
  }
}

WaitResult WaitForDrain(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                        TimePoint deadline, bool fixed, Duration margin, Duration poll) {
  std::optional<RunStatus> last;
  for (;;) {
    const bool running = alive();  // before the read: the status written at the end counts
    if (auto status = read(); Ours(status, pid)) last = status;
    // The run's own drain deadline replaces the guess (never a --wait).
    if (!fixed && last && last->drain.finish_by) deadline = *last->drain.finish_by + margin;
    if (!running) return DrainEnded(pid, last);
    if (clock.Now() >= deadline) return DrainTimedOut(pid, last);
    clock.SleepFor(poll);
  }
}

}  // namespace agentboot::lifecycle

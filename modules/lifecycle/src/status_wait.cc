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

WaitResult WaitForRotation(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                           int baseline, TimePoint deadline, Duration poll) {
  std::optional<RunStatus> last;
  for (;;) {
    const bool running = alive();  // before the read: a status written at the end counts
    auto status = read();
    if (Ours(status, pid)) last = status;
    if (auto judged = JudgeRotation(status, pid, baseline)) return *judged;
    if (!running) {
      return Conclude(WaitOutcome::kEnded,
                      "agentboot (pid " + std::to_string(pid) + ") ended before the rotation",
                      last);
    }
    if (clock.Now() >= deadline) {
      return Conclude(WaitOutcome::kTimedOut,
                      last ? "the rotation has not finished yet (step: " +
                                 (last->rotation.step.empty() ? std::string("not started")
                                                              : last->rotation.step) +
                                 ")"
                           : "agentboot (pid " + std::to_string(pid) +
                                 ") wrote no status file (an older release?)",
                      last);
    }
    clock.SleepFor(poll);
  }
}

WaitResult WaitForDrain(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                        TimePoint deadline, bool fixed, Duration margin, Duration poll) {
  std::optional<RunStatus> last;
  for (;;) {
    const bool running = alive();
    if (auto status = read(); Ours(status, pid)) last = status;
    if (!fixed && last && last->drain.finish_by) deadline = *last->drain.finish_by + margin;
    if (!running) {
      const DrainStatus* drain = last ? &last->drain : nullptr;
      if (drain != nullptr && drain->state == DrainState::kFinished && !drain->ok) {
        return Conclude(WaitOutcome::kRefused,
                        "the drain finished with problems: " +
                            (drain->error.empty() ? "see agentboot's log" : drain->error),
                        last);
      }
      return Conclude(WaitOutcome::kDone,
                      "agentboot (pid " + std::to_string(pid) + ") has finished", last);
    }
    if (clock.Now() >= deadline) {
      return Conclude(WaitOutcome::kTimedOut,
                      "agentboot (pid " + std::to_string(pid) + ") is still draining" +
                          (last && !last->drain.step.empty() ? " (step: " + last->drain.step + ")"
                                                             : std::string()),
                      last);
    }
    clock.SleepFor(poll);
  }
}

}  // namespace agentboot::lifecycle

// The key rotation sequence (lifecycle.h) as a table of named steps: disabling, waiting idle,
// pausing, rotating, resuming, enabling, done. A job is never cancelled for a rotation. Each step
// is one function that returns the next step.
#include <algorithm>
#include <array>
#include <utility>

#include "sequencer.h"

namespace agentboot::lifecycle::detail {
namespace {

constexpr std::string_view kSource = "rotate";

class RotationSteps {
 public:
  RotationSteps(Sequencer& core, std::string reason);
  RotationReport Run();

 private:
  friend struct RotationTable;
  Step Disabling();
  Step WaitingIdle();
  Step Pausing();
  Step Rotating();
  Step Resuming();
  Step Enabling();

  // A drain, the end of the listener or a shutdown take over from a rotation.
  bool TakenOver() const { return core_.inbox.drain.has_value() || core_.ListenerGone(); }
  // Ends the rotation because something took over; the agent is not left disabled when the
  // listener ended by itself (no drain goes on from "disabled").
  Step Interrupted(std::string why);
  Step Give(RotationResult result, Error error, Step next);

  Sequencer& core_;
  Clock& clock_;
  Logger& log_;
  const std::string reason_;
  TimePoint deadline_{};  // for disabling and waiting idle
  RotationReport report_;
};

struct RotationTable {
  using Function = Step (RotationSteps::*)();
  static constexpr std::array<std::pair<Step, Function>, 6> kRows{{
      {Step::kDisabling, &RotationSteps::Disabling},
      {Step::kWaitingIdle, &RotationSteps::WaitingIdle},
      {Step::kPausing, &RotationSteps::Pausing},
      {Step::kRotating, &RotationSteps::Rotating},
      {Step::kResuming, &RotationSteps::Resuming},
      {Step::kEnabling, &RotationSteps::Enabling},
  }};
};

RotationSteps::RotationSteps(Sequencer& core, std::string reason)
    : core_(core), clock_(core.env.clock), log_(core.env.log), reason_(std::move(reason)) {
  report_.result = RotationResult::kRotated;
}

RotationReport RotationSteps::Run() {
  log_.Log(LogLevel::kInfo, kSource, "rotating the agent's key", {{"reason", reason_}});
  deadline_ = clock_.Now() + core_.policy.drain_timeout;
  Step step = Step::kDisabling;
  while (step != Step::kDone) {
    const auto& rows = RotationTable::kRows;
    const auto entry =
        std::find_if(rows.begin(), rows.end(), [&](const auto& row) { return row.first == step; });
    core_.Report({Sequence::kRotation, step, std::nullopt, std::nullopt});
    step = (this->*entry->second)();
  }
  core_.Report({Sequence::kRotation, Step::kDone, std::nullopt, std::nullopt});
  return report_;
}

Step RotationSteps::Give(RotationResult result, Error error, Step next) {
  report_.result = result;
  report_.error = std::move(error);
  return next;
}

Step RotationSteps::Interrupted(std::string why) {
  if (!core_.inbox.drain && !core_.inbox.shutdown) {
    (void)core_.Retry(
        "enable the agent", clock_.Now() + core_.policy.cleanup_timeout,
        [&] { return core_.agent.SetEnabled(true); }, [&] { return core_.inbox.shutdown; });
  }
  return Give(RotationResult::kInterrupted, MakeError(ErrorCode::kUnavailable, "", std::move(why)),
              Step::kDone);
}

Step RotationSteps::Disabling() {
  auto disabled = core_.Retry(
      "disable the agent", deadline_, [&] { return core_.agent.SetEnabled(false); },
      [&] { return TakenOver(); });
  if (disabled) return Step::kWaitingIdle;
  if (TakenOver()) return Interrupted("a drain or the end of the listener took over");
  log_.Log(LogLevel::kError, kSource, "rotation postponed: could not disable the agent",
           {{"error", disabled.error().ToString()}});
  Error error = disabled.error();
  error.detail = "could not disable the agent: " + error.detail;
  return Give(RotationResult::kFailed, std::move(error), Step::kEnabling);
}

Step RotationSteps::WaitingIdle() {
  const IdleResult idle = core_.WaitIdle(kSource, deadline_, [&] { return TakenOver(); });
  if (idle == IdleResult::kIdle) return Step::kPausing;
  if (TakenOver()) return Interrupted("a drain or the end of the listener took over");
  const bool busy = idle == IdleResult::kBusy;
  log_.Log(LogLevel::kInfo, kSource,
           busy ? "rotation postponed: a job is still running"
                : "rotation postponed: could not tell whether a job is running");
  return Give(RotationResult::kBusy,
              MakeError(ErrorCode::kDeadlineExceeded, "",
                        busy ? "a job is still running"
                             : "the server could not say whether a job is running",
                        "A rotation never cancels a job; run `agentboot rotate` again later."),
              Step::kEnabling);
}

Step RotationSteps::Pausing() {
  Inbox& inbox = core_.inbox;
  if (inbox.listener != ListenerState::kEnded) inbox.listener = ListenerState::kRunning;
  core_.listener.Pause();
  const bool answered = core_.WaitUntil(clock_.Now() + core_.policy.listener_stop_timeout, [&] {
    return inbox.listener != ListenerState::kRunning || inbox.shutdown;
  });
  if (answered && inbox.listener == ListenerState::kPaused) return Step::kRotating;
  if (core_.ListenerGone()) return Interrupted("the listener ended during the rotation");
  log_.Log(LogLevel::kError, kSource, "the listener did not pause; rotation abandoned");
  return Give(
      RotationResult::kFailed,
      MakeError(ErrorCode::kDeadlineExceeded, "", "the listener did not pause; the old key stays"),
      Step::kResuming);
}

// The listener is down: the key can change on disk and on the server. On failure the agent
// module leaves the old key on both, so the relaunch is always with an accepted key.
Step RotationSteps::Rotating() {
  auto rotated = core_.Retry(
      "rotate the key", clock_.Now() + core_.policy.cleanup_timeout,
      [&] { return core_.agent.RotateKey(); }, [&] { return core_.inbox.shutdown; });
  if (rotated) {
    log_.Log(LogLevel::kInfo, kSource, "key rotated; relaunching the listener");
    if (core_.callbacks.on_key_rotated) core_.callbacks.on_key_rotated();
  } else {
    log_.Log(LogLevel::kError, kSource, "key rotation failed; the old key stays",
             {{"error", rotated.error().ToString()}});
    Give(RotationResult::kFailed, rotated.error(), Step::kResuming);
  }
  if (core_.inbox.shutdown) {
    return Give(RotationResult::kInterrupted,
                MakeError(ErrorCode::kUnavailable, "", "agentboot is shutting down"), Step::kDone);
  }
  return Step::kResuming;
}

Step RotationSteps::Resuming() {
  if (core_.inbox.listener != ListenerState::kEnded) core_.inbox.listener = ListenerState::kRunning;
  core_.listener.Resume();
  return Step::kEnabling;
}

// Back in service: keep trying (the agent is useless disabled) until a drain takes over.
Step RotationSteps::Enabling() {
  auto enabled = core_.Retry(
      "enable the agent", clock_.Now() + std::chrono::hours(24),
      [&] { return core_.agent.SetEnabled(true); }, [&] { return TakenOver(); });
  if (!enabled && !TakenOver()) {
    log_.Log(LogLevel::kError, kSource, "could not enable the agent again",
             {{"error", enabled.error().ToString()}});
  }
  return Step::kDone;
}

}  // namespace

RotationReport RunRotation(Sequencer& core, const std::string& reason) {
  return RotationSteps(core, reason).Run();
}

}  // namespace agentboot::lifecycle::detail

// The key rotation sequence (lifecycle.h): disable, wait idle, pause the listener, rotate, resume,
// enable. A job is never cancelled for a rotation.
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

constexpr std::string_view kSource = "rotate";

}  // namespace

RotationResult Controller::Rotate(const std::string& reason) {
  Clock& clock = env_.clock;
  Logger& log = env_.log;
  log.Log(LogLevel::kInfo, kSource, "rotating the agent's key", {{"reason", reason}});
  // A drain, the end of the listener or a shutdown take over from a rotation.
  auto taken_over = [&] { return pending_drain_.has_value() || listener_ended_ || shutdown_; };
  // Back in service: keep trying (the agent is useless disabled) until a drain takes over.
  auto enable = [&] {
    auto enabled = Retry(
        "enable the agent", clock.Now() + std::chrono::hours(24),
        [&] { return agent_.SetEnabled(true); }, taken_over);
    if (!enabled && !taken_over()) {
      log.Log(LogLevel::kError, kSource, "could not enable the agent again",
              {{"error", enabled.error().ToString()}});
    }
  };

  // The listener ended by itself mid-rotation (no drain): do not leave the agent disabled.
  auto interrupted = [&] {
    if (!pending_drain_ && !shutdown_) {
      (void)Retry(
          "enable the agent", clock.Now() + policy_.cleanup_timeout,
          [&] { return agent_.SetEnabled(true); }, [&] { return shutdown_; });
    }
    return RotationResult::kInterrupted;
  };

  const TimePoint deadline = clock.Now() + policy_.drain_timeout;
  auto disabled = Retry(
      "disable the agent", deadline, [&] { return agent_.SetEnabled(false); }, taken_over);
  if (!disabled) {
    if (taken_over()) return interrupted();
    log.Log(LogLevel::kError, kSource, "rotation postponed: could not disable the agent",
            {{"error", disabled.error().ToString()}});
    enable();
    return RotationResult::kFailed;
  }

  bool idle = false;
  while (!taken_over() && clock.Now() < deadline) {
    auto assigned = agent_.HasAssignedJob();
    if (assigned && !*assigned) {
      idle = true;
      break;
    }
    WaitUntil(std::min(clock.Now() + policy_.poll_interval, deadline), taken_over);
  }
  if (!idle) {
    if (taken_over()) return interrupted();  // a drain goes on from "disabled"
    log.Log(LogLevel::kInfo, kSource, "rotation postponed: a job is still running");
    enable();
    return RotationResult::kBusy;
  }

  listener_paused_ = false;
  listener_.Pause();
  auto stopped = [&] { return listener_paused_ || listener_ended_ || shutdown_; };
  if (!WaitUntil(clock.Now() + policy_.listener_stop_timeout, stopped) || !listener_paused_) {
    if (listener_ended_ || shutdown_) return interrupted();
    log.Log(LogLevel::kError, kSource, "the listener did not pause; rotation abandoned");
    listener_.Resume();
    enable();
    return RotationResult::kFailed;
  }

  // The listener is down: the key can change on disk and on the server. On failure the agent
  // module leaves the old key on both, so the relaunch below is always with an accepted key.
  auto rotated = Retry(
      "rotate the key", clock.Now() + policy_.cleanup_timeout, [&] { return agent_.RotateKey(); },
      [&] { return shutdown_; });
  if (rotated) {
    log.Log(LogLevel::kInfo, kSource, "key rotated; relaunching the listener");
  } else {
    log.Log(LogLevel::kError, kSource, "key rotation failed; the old key stays",
            {{"error", rotated.error().ToString()}});
  }
  if (shutdown_) return RotationResult::kInterrupted;
  listener_paused_ = false;
  listener_.Resume();
  enable();
  return rotated ? RotationResult::kRotated : RotationResult::kFailed;
}

}  // namespace agentboot::lifecycle

// The controller's loop: rotations on schedule and on request until a drain, the end of the
// listener or a shutdown. The sequences are in drain.cc and rotation.cc, their shared waits in
// sequencer.cc.
#include <algorithm>

#include "agentboot/lifecycle.h"

#include "sequencer.h"

namespace agentboot::lifecycle {

std::string_view CleanupName(Cleanup cleanup) noexcept {
  switch (cleanup) {
    case Cleanup::kNone:
      return "none";
    case Cleanup::kRemoved:
      return "removed";
    case Cleanup::kReenabled:
      return "re-enabled";
    case Cleanup::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view RotationResultName(RotationResult result) noexcept {
  switch (result) {
    case RotationResult::kRotated:
      return "rotated";
    case RotationResult::kBusy:
      return "busy";
    case RotationResult::kFailed:
      return "failed";
    case RotationResult::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

Controller::Controller(Env& env, Mailbox& mailbox, AgentControl& agent, ListenerControl& listener,
                       Policy policy, Callbacks callbacks)
    : core_(std::make_unique<detail::Sequencer>(env, mailbox, agent, listener, policy,
                                                std::move(callbacks))) {}

Controller::~Controller() = default;

namespace {

// After a scheduled rotation: the period, or sooner after one that could not finish.
Duration RotationInterval(const Policy& policy, RotationResult result) {
  if (result == RotationResult::kRotated) return policy.rotate_every;
  return std::min(policy.rotate_retry, policy.rotate_every);
}

}  // namespace

std::optional<DrainReport> Controller::Run() {
  detail::Sequencer& core = *core_;
  const Policy& policy = core.policy;
  std::optional<TimePoint> next_rotation;
  if (policy.rotate_every.count() > 0) next_rotation = core.env.clock.Now() + policy.rotate_every;
  for (;;) {
    if (core.inbox.shutdown) return std::nullopt;
    if (core.inbox.drain) {
      DrainRequest request = std::move(*core.inbox.drain);
      core.inbox.drain.reset();
      return detail::RunDrain(core, std::move(request), !core.ListenerGone());
    }
    if (core.inbox.listener == detail::ListenerState::kEnded) return std::nullopt;
    const TimePoint now = core.env.clock.Now();
    if (core.inbox.rotate || (next_rotation && now >= *next_rotation)) {
      const std::string reason = core.inbox.rotate ? core.inbox.rotate->reason : "schedule";
      core.inbox.rotate.reset();
      const RotationResult result = RotateAndReport(reason);
      if (next_rotation) next_rotation = core.env.clock.Now() + RotationInterval(policy, result);
      continue;
    }
    const TimePoint wake = next_rotation.value_or(now + std::chrono::hours(24));
    if (auto message = core.mailbox.WaitUntil(wake)) core.Handle(std::move(*message));
  }
}

DrainReport Controller::DrainWithoutListener(DrainRequest request) {
  return detail::RunDrain(*core_, std::move(request), false);
}

RotationResult Controller::RotateAndReport(const std::string& reason) {
  const RotationReport report = detail::RunRotation(*core_, reason);
  const Callbacks& callbacks = core_->callbacks;
  if (callbacks.on_rotation_finished) callbacks.on_rotation_finished(report.result);
  if (callbacks.on_rotation_report) callbacks.on_rotation_report(report);
  return report.result;
}

}  // namespace agentboot::lifecycle

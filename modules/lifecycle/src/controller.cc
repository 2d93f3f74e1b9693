// The controller's loop, its waits and its retries. The sequences themselves are in drain.cc and
// rotation.cc.
#include <algorithm>
#include <cmath>

#include "agentboot/lifecycle.h"

#include "drain_request.h"

namespace agentboot::lifecycle {
namespace {

constexpr std::string_view kSource = "lifecycle";

}  // namespace

namespace detail {

void Merge(DrainRequest& into, DrainRequest more) {
  for (auto& id : more.event_ids) {
    if (std::find(into.event_ids.begin(), into.event_ids.end(), id) == into.event_ids.end()) {
      into.event_ids.push_back(std::move(id));
    }
  }
  if (more.not_before && (!into.not_before || *more.not_before < *into.not_before)) {
    into.not_before = more.not_before;
  }
}

}  // namespace detail

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
    : env_(env),
      mailbox_(mailbox),
      agent_(agent),
      listener_(listener),
      policy_(policy),
      callbacks_(std::move(callbacks)) {}

std::optional<DrainReport> Controller::Run() {
  std::optional<TimePoint> next_rotation;
  if (policy_.rotate_every.count() > 0) next_rotation = env_.clock.Now() + policy_.rotate_every;
  for (;;) {
    if (shutdown_) return std::nullopt;
    if (pending_drain_) {
      DrainRequest request = std::move(*pending_drain_);
      pending_drain_.reset();
      return Drain(std::move(request), !listener_ended_);
    }
    if (listener_ended_) return std::nullopt;
    const TimePoint now = env_.clock.Now();
    if (rotate_requested_ || (next_rotation && now >= *next_rotation)) {
      const std::string reason = rotate_requested_ ? rotate_reason_ : "schedule";
      rotate_requested_ = false;
      const RotationResult result = Rotate(reason);
      if (callbacks_.on_rotation_finished) callbacks_.on_rotation_finished(result);
      if (policy_.rotate_every.count() > 0) {
        next_rotation =
            env_.clock.Now() + (result == RotationResult::kRotated
                                    ? policy_.rotate_every
                                    : std::min(policy_.rotate_retry, policy_.rotate_every));
      }
      continue;
    }
    const TimePoint wake = next_rotation.value_or(now + std::chrono::hours(24));
    if (auto message = mailbox_.WaitUntil(wake)) Handle(std::move(*message));
  }
}

DrainReport Controller::DrainWithoutListener(DrainRequest request) {
  return Drain(std::move(request), false);
}

void Controller::Handle(Message message) {
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, DrainRequest>) {
          if (pending_drain_) {
            detail::Merge(*pending_drain_, std::move(m));
          } else {
            pending_drain_ = std::move(m);
          }
        } else if constexpr (std::is_same_v<M, RotateRequest>) {
          if (!rotate_requested_) rotate_reason_ = m.reason;
          rotate_requested_ = true;
        } else if constexpr (std::is_same_v<M, Hurry>) {
          hurry_ = true;
        } else if constexpr (std::is_same_v<M, ListenerPaused>) {
          listener_paused_ = true;
        } else if constexpr (std::is_same_v<M, ListenerEnded>) {
          listener_ended_ = true;
        } else if constexpr (std::is_same_v<M, Shutdown>) {
          shutdown_ = true;
        }
      },
      message);
}

bool Controller::WaitUntil(TimePoint deadline, const std::function<bool()>& done) {
  for (;;) {
    if (done()) return true;
    if (env_.clock.Now() >= deadline) return false;
    if (auto message = mailbox_.WaitUntil(deadline)) Handle(std::move(*message));
  }
}

Status Controller::Retry(std::string_view step, TimePoint deadline,
                         const std::function<Status()>& attempt,
                         const std::function<bool()>& interrupted) {
  Status last;
  for (int attempts = 1;; ++attempts) {
    last = attempt();
    if (last) {
      if (attempts > 1) {
        env_.log.Log(LogLevel::kInfo, kSource, std::string(step) + ": done",
                     {{"attempts", std::to_string(attempts)}});
      }
      return last;
    }
    const TimePoint now = env_.clock.Now();
    if (interrupted() || now >= deadline) return last;
    const double doublings = std::min(attempts - 1, 20);
    double delay = static_cast<double>(policy_.retry_initial.count()) * std::pow(2.0, doublings);
    delay = std::min(delay, static_cast<double>(policy_.retry_max.count()));
    delay *= 1.0 + 0.2 * env_.random.Uniform(0.0, 1.0);
    Duration wait(static_cast<Duration::rep>(delay));
    if (last.error().retry_after) wait = std::max(wait, *last.error().retry_after);
    const TimePoint next = std::min(now + wait, deadline);
    env_.log.Log(LogLevel::kWarning, kSource, std::string(step) + " failed; retrying",
                 {{"error", last.error().ToString()},
                  {"attempt", std::to_string(attempts)},
                  {"retry_in_ms", std::to_string((next - now) / std::chrono::milliseconds(1))}});
    WaitUntil(next, interrupted);
    if (interrupted()) return last;
  }
}

}  // namespace agentboot::lifecycle

// What the drain and the rotation share: messages, waits, retries and WaitIdle.
#include "sequencer.h"

#include <algorithm>
#include <cmath>

namespace agentboot::lifecycle::detail {
namespace {

constexpr std::string_view kSource = "lifecycle";

// Drain and rotation steps: doubling from retry_initial up to retry_max, plus up to a fifth.
ExponentialBackoff StepBackoff(const Policy& policy) {
  ExponentialBackoff backoff;
  backoff.initial = policy.retry_initial;
  backoff.max = policy.retry_max;
  backoff.jitter_above = 0.2;
  return backoff;
}

}  // namespace

std::string Seconds(Duration d) {
  return std::to_string(std::max<int64_t>(0, d / std::chrono::seconds(1))) + "s";
}

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

Sequencer::Sequencer(Env& env_in, Mailbox& mailbox_in, AgentControl& agent_in,
                     ListenerControl& listener_in, Policy policy_in, Callbacks callbacks_in)
    : env(env_in),
      mailbox(mailbox_in),
      agent(agent_in),
      listener(listener_in),
      policy(policy_in),
      callbacks(std::move(callbacks_in)) {}

void Sequencer::Handle(Message message) {
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, DrainRequest>) {
          if (inbox.drain) {
            Merge(*inbox.drain, std::move(m));
          } else {
            inbox.drain = std::move(m);
          }
        } else if constexpr (std::is_same_v<M, RotateRequest>) {
          if (!inbox.rotate) inbox.rotate = std::move(m);
        } else if constexpr (std::is_same_v<M, Hurry>) {
          inbox.hurry = true;
        } else if constexpr (std::is_same_v<M, ListenerPaused>) {
          if (inbox.listener != ListenerState::kEnded) inbox.listener = ListenerState::kPaused;
        } else if constexpr (std::is_same_v<M, ListenerEnded>) {
          inbox.listener = ListenerState::kEnded;
        } else if constexpr (std::is_same_v<M, Shutdown>) {
          inbox.shutdown = true;
        }
      },
      message);
}

bool Sequencer::WaitUntil(TimePoint deadline, const std::function<bool()>& done) {
  for (;;) {
    if (done()) return true;
    if (env.clock.Now() >= deadline) return false;
    if (auto message = mailbox.WaitUntil(deadline)) Handle(std::move(*message));
  }
}

Status Sequencer::Retry(std::string_view step, TimePoint deadline,
                        const std::function<Status()>& attempt,
                        const std::function<bool()>& interrupted) {
  Status last;
  for (int attempts = 1;; ++attempts) {
    last = attempt();
    if (last) {
      if (attempts > 1) {
        env.log.Log(LogLevel::kInfo, kSource, std::string(step) + ": done",
                    {{"attempts", std::to_string(attempts)}});
      }
      return last;
    }
    const TimePoint now = env.clock.Now();
    if (interrupted() || now >= deadline) return last;
    Duration wait = BackoffDelay(StepBackoff(policy), attempts, env.random.Uniform(0.0, 1.0));
    if (last.error().retry_after) wait = std::max(wait, *last.error().retry_after);
    const TimePoint next = std::min(now + wait, deadline);
    env.log.Log(LogLevel::kWarning, kSource, std::string(step) + " failed; retrying",
                {{"error", last.error().ToString()},
                 {"attempt", std::to_string(attempts)},
                 {"retry_in_ms", std::to_string((next - now) / std::chrono::milliseconds(1))}});
    WaitUntil(next, interrupted);
    if (interrupted()) return last;
  }
}

IdleResult Sequencer::WaitIdle(std::string_view source, const TimePoint& deadline,
                               const std::function<bool()>& interrupted) {
  IdleResult known = IdleResult::kUnknown;
  bool announced = false;
  while (!interrupted() && env.clock.Now() < deadline) {
    auto assigned = agent.HasAssignedJob();
    if (assigned) {
      known = *assigned ? IdleResult::kBusy : IdleResult::kIdle;
    } else if (assigned.error().code == ErrorCode::kNotFound) {
      known = IdleResult::kIdle;  // gone on the server: no job can run on it
    } else {
      env.log.Log(LogLevel::kWarning, source, "cannot tell whether a job is running; asking again",
                  {{"error", assigned.error().ToString()}});
    }
    if (known == IdleResult::kIdle) return known;
    if (known == IdleResult::kBusy && !announced) {
      announced = true;
      env.log.Log(LogLevel::kInfo, source, "waiting for the running job to finish",
                  {{"deadline_in",
                    Seconds(std::chrono::duration_cast<Duration>(deadline - env.clock.Now()))}});
    }
    WaitUntil(std::min(env.clock.Now() + policy.poll_interval, deadline), interrupted);
  }
  return known;
}

void Sequencer::Report(const Progress& progress) const {
  if (callbacks.on_step) callbacks.on_step(progress);
}

}  // namespace agentboot::lifecycle::detail

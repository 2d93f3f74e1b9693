// The retry budget of one call: throttling bounded by time, other failures by tries.
#include <algorithm>
#include <cmath>

#include "agentboot/http.h"

namespace agentboot::http {
namespace {

// The spread window after `answers` throttled answers: initial * multiplier^(answers-1), at most
// `max_spread`.
Duration SpreadWindow(const BackoffPolicy& policy, Duration max_spread, int answers) {
  ExponentialBackoff window;  // no jitter: the window is what the spread is drawn from
  window.initial = policy.initial;
  window.max = max_spread;
  window.multiplier = policy.multiplier;
  return agentboot::BackoffDelay(window, answers, 0.0);
}

}  // namespace

RetryBudget::RetryBudget(BackoffPolicy backoff, ThrottlePolicy throttle, TimePoint first_try)
    : backoff_(backoff), throttle_(throttle), deadline_(first_try + throttle.budget) {}

std::optional<Duration> RetryBudget::Next(bool throttled, std::optional<Duration> server_delay,
                                          TimePoint now, Random& random) {
  if (throttled && server_delay && throttle_.budget > Duration::zero()) {
    return NextThrottled(*server_delay, now, random);
  }
  ++failures_;
  if (failures_ >= std::max(1, backoff_.max_attempts)) return std::nullopt;
  return BackoffDelay(backoff_, failures_, random, server_delay);
}

std::optional<Duration> RetryBudget::NextThrottled(Duration server_delay, TimePoint now,
                                                   Random& random) {
  ++throttled_;
  // At least the back-off's first step: a "Retry-After: 0" must not turn into a busy loop.
  const Duration wait = std::max(server_delay, backoff_.initial);
  const Duration left = std::chrono::duration_cast<Duration>(deadline_ - now);
  if (wait > kMaxServerDelay || wait > left) {
    budget_spent_ = true;
    return std::nullopt;
  }
  const Duration window = SpreadWindow(backoff_, throttle_.max_spread, throttled_);
  const double fraction = std::clamp(random.Uniform(0.0, 1.0), 0.0, 1.0);
  const auto spread =
      static_cast<Duration::rep>(std::llround(fraction * static_cast<double>(window.count())));
  // The spread never reaches past the deadline: the last try is sent at the deadline at most.
  return std::min(wait + Duration(spread), left);
}

}  // namespace agentboot::http

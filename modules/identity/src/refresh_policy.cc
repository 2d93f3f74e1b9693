#include "refresh_policy.h"

#include <algorithm>

namespace agentboot::identity::detail {
namespace {
constexpr Duration kLongLived = std::chrono::hours(2);
constexpr Duration kEarly = std::chrono::minutes(5);
}  // namespace

TimePoint RefreshTime(const AccessToken& token, TimePoint now) {
  const auto lifetime = std::chrono::duration_cast<Duration>(token.expires_on - now);
  if (lifetime <= Duration::zero()) return now;
  const TimePoint half = now + lifetime / 2;
  if (token.refresh_on) {
    return std::clamp(*token.refresh_on, now, std::max(half, token.expires_on - kEarly));
  }
  if (lifetime > kLongLived) return half;
  return std::max(half, token.expires_on - kEarly);
}

Duration JitterBound(const AccessToken& token, TimePoint now, Duration max_jitter) {
  const auto lifetime = std::chrono::duration_cast<Duration>(token.expires_on - now);
  if (lifetime <= Duration::zero()) return Duration::zero();
  return std::max(Duration::zero(), std::min(max_jitter, lifetime / 10));
}

TimePoint JitteredRefreshTime(const AccessToken& token, TimePoint now, Duration max_jitter,
                              double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto bound = JitterBound(token, now, max_jitter);
  const auto jitter =
      Duration(static_cast<Duration::rep>(static_cast<double>(bound.count()) * fraction));
  return std::max(now, RefreshTime(token, now) - jitter);
}

Duration RefreshRetryDelay(int failures, Duration initial, Duration max) {
  ExponentialBackoff backoff;  // no jitter: the refresh time itself is jittered
  backoff.initial = initial;
  backoff.max = max;
  return BackoffDelay(backoff, failures, 0.0);
}

}  // namespace agentboot::identity::detail

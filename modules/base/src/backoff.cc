#include <algorithm>
#include <cmath>

#include "agentboot/base.h"

namespace agentboot {

Duration BackoffDelay(const ExponentialBackoff& backoff, int attempt, double jitter01) {
  const int exponent = std::max(attempt, 1) - 1;
  const double max_ms = std::max(0.0, static_cast<double>(backoff.max.count()));
  const double grown =
      static_cast<double>(backoff.initial.count()) * std::pow(backoff.multiplier, exponent);
  const double capped = std::min(max_ms, grown);  // also tames inf from a huge exponent
  const double low = 1.0 - std::clamp(backoff.jitter_below, 0.0, 1.0);
  const double high = 1.0 + std::max(0.0, backoff.jitter_above);
  const double factor = low + std::clamp(jitter01, 0.0, 1.0) * (high - low);
  double delay = std::max(0.0, capped * factor);
  if (backoff.jitter_within_max) delay = std::min(delay, max_ms);
  return Duration(static_cast<Duration::rep>(std::llround(delay)));
}

}  // namespace agentboot

// agentboot::base — The Clock and Random seams, and wall-time helpers. Included through
// agentboot/base.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Clock: wall time (token expiry is absolute UTC) and waiting. FakeClock's SleepFor advances
// virtual time and returns at once.

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  virtual void SleepFor(Duration duration) = 0;
};

int64_t ToUnixSeconds(TimePoint t) noexcept;
// Saturates at the TimePoint range (about 1678 to 2262) instead of overflowing.
TimePoint FromUnixSeconds(int64_t seconds) noexcept;
std::string FormatUtc(TimePoint t);  // "2026-11-29T12:00:00Z"

// ---------------------------------------------------------------------------------------------
// Random: uniform numbers for jitter. Production is seeded from the OS; tests seed it.

class Random {
 public:
  Random() = default;
  Random(const Random&) = delete;
  Random& operator=(const Random&) = delete;
  virtual ~Random() = default;
  virtual double Uniform(double low, double high) = 0;  // in [low, high]
};

// ---------------------------------------------------------------------------------------------
// The one back-off rule every retry loop uses (HTTP calls, identity refreshes, listener restarts,
// drain and rotation steps); each keeps its own numbers. The delay before retry `attempt` (1 for
// the first) is min(max, initial * multiplier^(attempt - 1)), scaled by a jitter factor that runs
// from 1 - jitter_below to 1 + jitter_above as `jitter01` (drawn by the caller from its Random,
// Uniform(0, 1)) runs from 0 to 1, rounded to the millisecond; never negative, and never above
// max when jitter_within_max.
struct ExponentialBackoff {
  Duration initial{std::chrono::seconds(1)};
  Duration max{std::chrono::seconds(60)};
  double multiplier = 2.0;
  double jitter_below = 0.0;  // in [0, 1]
  double jitter_above = 0.0;  // >= 0
  bool jitter_within_max = false;
  bool has_jitter() const { return jitter_below > 0 || jitter_above > 0; }
};
Duration BackoffDelay(const ExponentialBackoff& backoff, int attempt, double jitter01);

}  // namespace agentboot

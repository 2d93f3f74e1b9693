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

}  // namespace agentboot

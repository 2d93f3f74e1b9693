#include <algorithm>
#include <ctime>
#include <thread>

#include "agentboot/base.h"

namespace agentboot {

int64_t ToUnixSeconds(TimePoint t) noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(int64_t seconds) noexcept {
  // A TimePoint counts nanoseconds: saturate instead of overflowing (about years 1678 to 2262).
  using Seconds = std::chrono::seconds;
  constexpr int64_t kMax =
      std::chrono::duration_cast<Seconds>(TimePoint::duration::max()).count() - 1;
  return TimePoint(Seconds(std::clamp<int64_t>(seconds, -kMax, kMax)));
}

std::string FormatUtc(TimePoint t) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixSeconds(t));
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  const size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(buffer, n);
}

namespace {

class RealClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::system_clock::now(); }
  void SleepFor(Duration duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

}  // namespace agentboot

// StopSignals (supervisor.h): repeated stop signals within a short window are one request.
#include "agentboot/supervisor.h"

namespace agentboot::supervisor {

StopSignals::Meaning StopSignals::Receive() {
  const TimePoint now = clock_.Now();
  if (requests_ > 0 && now - last_request_ < window_) return Meaning::kRepeat;
  ++requests_;
  last_request_ = now;
  if (requests_ == 1) return Meaning::kFirst;
  return requests_ == 2 ? Meaning::kSecond : Meaning::kLater;
}

std::string_view StopSignalMeaningName(StopSignals::Meaning meaning) noexcept {
  switch (meaning) {
    case StopSignals::Meaning::kFirst:
      return "first";
    case StopSignals::Meaning::kRepeat:
      return "repeat";
    case StopSignals::Meaning::kSecond:
      return "second";
    case StopSignals::Meaning::kLater:
      return "later";
  }
  return "unknown";
}

}  // namespace agentboot::supervisor

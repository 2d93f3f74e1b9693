#include <algorithm>
#include <cstring>

#include "agentboot/base.h"

#include <signal.h>

namespace agentboot {

void StopToken::Arm(Probe probe) {
  MutexLock lock(mu_);
  probe_ = std::move(probe);
  seen_.reset();
}

void StopToken::Disarm() {
  MutexLock lock(mu_);
  probe_ = nullptr;
  seen_.reset();
}

std::optional<int> StopToken::Requested() {
  MutexLock lock(mu_);
  if (!seen_ && probe_) seen_ = probe_();
  return seen_;
}

bool StopToken::armed() {
  MutexLock lock(mu_);
  return static_cast<bool>(probe_);
}

StopToken& ProcessStopToken() {
  static StopToken* token = new StopToken;  // never destroyed: threads may ask until exit
  return *token;
}

std::optional<int> PendingStopSignal() {
  sigset_t pending;
  sigemptyset(&pending);
  if (::sigpending(&pending) != 0) return std::nullopt;
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) {
    if (sigismember(&pending, signal) == 1) return signal;
  }
  return std::nullopt;
}

bool SleepUnlessStopped(Clock& clock, Duration duration, StopToken& token) {
  constexpr Duration kSlice = std::chrono::milliseconds(100);
  if (!token.armed()) {
    clock.SleepFor(duration);  // one sleep, as before: fakes record it as one
    return true;
  }
  if (token.Requested()) return false;
  Duration left = duration;
  while (left > Duration::zero()) {
    const Duration step = std::min(left, kSlice);
    clock.SleepFor(step);
    left -= step;
    if (token.Requested()) return false;
  }
  return true;
}

Error StoppedError(const std::string& context, int signal) {
  const char* name = ::sigabbrev_np(signal);
  Error error = MakeError(ErrorCode::kUnavailable, context,
                          std::string("stopped by SIG") + (name != nullptr ? name : "?") +
                              " before the listener started");
  error.retryable = false;  // nobody may try again: the operator asked to stop
  return error;
}

}  // namespace agentboot

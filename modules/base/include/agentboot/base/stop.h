// agentboot::base — StopToken: a stop asked for before the listener runs. Included through
// agentboot/base.h.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agentboot/base/clock.h"
#include "agentboot/base/error.h"
#include "agentboot/thread_annotations.h"

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// StopToken: a stop asked for before the listener runs (security review M8). `run` blocks
// SIGINT/SIGTERM/SIGHUP from the start so supervision can read them from a signalfd later; while
// the token is armed, a pending stop signal is seen (sigpending, nothing consumed) by the retry
// sleeps, identity requests and package downloads, which then give up at once. Disarmed (the
// default, and in every other command) it never asks to stop. Thread-safe.
class StopToken {
 public:
  // The signal asking to stop, if any; called often, so it must be cheap.
  using Probe = std::function<std::optional<int>()>;
  void Arm(Probe probe);
  void Disarm();  // forgets the probe and any stop seen
  bool armed();
  // The stop signal once one was seen while armed (sticky until Disarm), else nullopt.
  std::optional<int> Requested();

 private:
  Mutex mu_;
  Probe probe_ GUARDED_BY(mu_);
  std::optional<int> seen_ GUARDED_BY(mu_);
};

StopToken& ProcessStopToken();  // the one `run` arms; never deleted
// SIGINT, SIGTERM or SIGHUP pending on this process or thread (blocked, not yet read).
std::optional<int> PendingStopSignal();
// clock.SleepFor(duration), in slices of at most 100 ms while `token` is armed; false as soon as
// it asks to stop (then the caller gives up instead of trying again).
bool SleepUnlessStopped(Clock& clock, Duration duration, StopToken& token = ProcessStopToken());
// The error a step returns when it gave up because of a stop: kUnavailable, not retryable.
Error StoppedError(const std::string& context, int signal);

}  // namespace agentboot

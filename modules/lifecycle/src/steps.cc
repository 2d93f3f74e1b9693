// Names of the sequences and their steps, as logs and the status file show them.
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {

std::string_view SequenceName(Sequence sequence) noexcept {
  return sequence == Sequence::kDrain ? "drain" : "rotation";
}

std::string_view StepName(Step step) noexcept {
  switch (step) {
    case Step::kDisabling:
      return "disabling";
    case Step::kWaitingIdle:
      return "waiting idle";
    case Step::kStopping:
      return "stopping";
    case Step::kCleaning:
      return "cleaning";
    case Step::kAcknowledging:
      return "acknowledging";
    case Step::kPausing:
      return "pausing";
    case Step::kRotating:
      return "rotating";
    case Step::kResuming:
      return "resuming";
    case Step::kEnabling:
      return "enabling";
    case Step::kDone:
      return "done";
  }
  return "unknown";
}

}  // namespace agentboot::lifecycle

#include "exit_codes.h"

#include <iostream>

namespace agentboot::cli {

int ExitCodeFor(Stage stage, const Error& error) {
  // A step that failed while a stop was pending failed because of it (run's preparation only:
  // the token is disarmed everywhere else).
  if (ProcessStopToken().Requested()) return kExitStopped;
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kUnavailable:
      return stage == Stage::kIdentity ? kExitIdentityUnavailable : kExitTemporary;
    case ErrorCode::kUnauthenticated:
      return stage == Stage::kIdentity ? kExitIdentityRefused : kExitDevOpsUnauthenticated;
    case ErrorCode::kPermissionDenied:
      return stage == Stage::kIdentity ? kExitIdentityRefused : kExitDevOpsForbidden;
    case ErrorCode::kNotFound:
      return stage == Stage::kLocal ? kExitUsage : kExitNotFound;
    case ErrorCode::kAlreadyExists:
      return kExitConflict;
    case ErrorCode::kThrottled:
    case ErrorCode::kDeadlineExceeded:
      return kExitTemporary;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

void PrintFailure(const Error& error) {
  std::cerr << "agentboot: " << (error.context.empty() ? "" : error.context + ": ") << error.detail
            << "\n";
  if (!error.advice.empty()) std::cerr << "agentboot: " << error.advice << "\n";
}

}  // namespace agentboot::cli

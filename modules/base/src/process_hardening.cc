#include <cerrno>
#include <cstring>

#include "agentboot/base.h"

#include <sys/prctl.h>
#include <sys/resource.h>

namespace agentboot {

Status DisableCoreDumps() {
  // Not dumpable: no core file, and other users (the --run-as user, every job) can neither
  // ptrace this process nor read its memory, environment or descriptors through /proc.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Fail(ErrorCode::kInternal, "prctl(PR_SET_DUMPABLE)", std::strerror(errno));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_CORE, &limit) != 0) {
    return Fail(ErrorCode::kInternal, "getrlimit(RLIMIT_CORE)", std::strerror(errno));
  }
  limit.rlim_cur = 0;  // the hard limit stays: the listener and its jobs may raise their own
  if (::setrlimit(RLIMIT_CORE, &limit) != 0) {
    return Fail(ErrorCode::kInternal, "setrlimit(RLIMIT_CORE)", std::strerror(errno));
  }
  return {};
}

}  // namespace agentboot

// The loop's signals as a readable descriptor (style guide §3, after skalibs selfpipe): SIGINT,
// SIGTERM, SIGHUP, SIGCHLD and the caller's extra signals are blocked in the calling thread and
// read from a signalfd, so no logic runs in a handler. The destructor drains what is pending and
// restores the old mask.
#pragma once

#include <memory>
#include <vector>

#include "agentboot/supervisor.h"

#include <signal.h>

namespace agentboot::supervisor::detail {

class SignalFd {
 public:
  // kInvalidArgument for an extra signal that is not a signal or cannot be read this way
  // (SIGKILL, SIGSTOP) or is the loop's own SIGCHLD; kInternal when the mask or signalfd fails.
  [[nodiscard]] static Result<std::unique_ptr<SignalFd>> Open(const std::vector<int>& extra = {});
  // Use Open(): takes over a signalfd and the mask to restore.
  SignalFd(UniqueFd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;
  ~SignalFd();
  int fd() const noexcept { return fd_.get(); }
  // Every pending signal number, in arrival order (SIGCHLD may be coalesced).
  std::vector<int> ReadAll();

 private:
  UniqueFd fd_;
  sigset_t previous_;
};

}  // namespace agentboot::supervisor::detail

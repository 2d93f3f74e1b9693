#include "signal_fd.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace agentboot::supervisor::detail {

Result<std::unique_ptr<SignalFd>> SignalFd::Open(const std::vector<int>& extra) {
  sigset_t wanted;
  sigemptyset(&wanted);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&wanted, sig);
  for (int sig : extra) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sigaddset(&wanted, sig) != 0) {
      return Fail(ErrorCode::kInvalidArgument, "signalfd",
                  "signal " + std::to_string(sig) + " cannot be an extra signal",
                  "list catchable signals such as SIGUSR1 or SIGUSR2");
    }
  }
  sigset_t previous;
  if (::pthread_sigmask(SIG_BLOCK, &wanted, &previous) != 0) {
    return Fail(ErrorCode::kInternal, "signalfd", "pthread_sigmask failed");
  }
  const int fd = ::signalfd(-1, &wanted, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return Fail(ErrorCode::kInternal, "signalfd", "signalfd: errno " + std::to_string(error));
  }
  return std::make_unique<SignalFd>(UniqueFd(fd), previous);
}

SignalFd::~SignalFd() {
  // A stop signal still pending would kill the process as soon as it is unblocked.
  (void)ReadAll();
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

std::vector<int> SignalFd::ReadAll() {
  std::vector<int> signals;
  signalfd_siginfo info{};
  for (;;) {
    const ssize_t got = ::read(fd_.get(), &info, sizeof info);
    if (got < 0 && errno == EINTR) continue;
    if (got != static_cast<ssize_t>(sizeof info)) break;
    signals.push_back(static_cast<int>(info.ssi_signo));
  }
  return signals;
}

}  // namespace agentboot::supervisor::detail

#include "command_queue.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace agentboot::supervisor::detail {

Status CommandQueue::Open() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    return Fail(ErrorCode::kInternal, "supervisor", "eventfd: errno " + std::to_string(errno));
  }
  MutexLock lock(mu_);
  wake_ = UniqueFd(fd);
  closed_ = false;
  // A new run counts its launches from zero; what was posted before it was posted before them.
  launches_ = 0;
  for (Posted& posted : pending_) posted.launches = 0;
  if (!pending_.empty()) Wake();
  return {};
}

void CommandQueue::Wake() {
  // A full counter (EAGAIN) still leaves the descriptor readable: the loop wakes either way.
  const uint64_t one = 1;
  const ssize_t written = ::write(wake_.get(), &one, sizeof one);
  (void)written;
}

void CommandQueue::Close() {
  MutexLock lock(mu_);
  closed_ = true;
  pending_.clear();
  wake_.Reset();
}

void CommandQueue::Post(Command command) {
  MutexLock lock(mu_);
  if (closed_) return;
  pending_.push_back({command, launches_});
  if (wake_.valid()) Wake();
}

void CommandQueue::CountLaunch() {
  MutexLock lock(mu_);
  ++launches_;
}

std::optional<CommandQueue::Posted> CommandQueue::Pop() {
  MutexLock lock(mu_);
  if (pending_.empty()) {
    // Under the lock, so no Post can slip between the check and the reset of the counter.
    uint64_t count = 0;
    if (wake_.valid()) {
      const ssize_t got = ::read(wake_.get(), &count, sizeof count);
      (void)got;  // EAGAIN: nothing to clear
    }
    return std::nullopt;
  }
  const Posted posted = pending_.front();
  pending_.pop_front();
  return posted;
}

}  // namespace agentboot::supervisor::detail

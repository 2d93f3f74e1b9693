// Commands posted to the loop from any thread (Supervisor::Post), with an eventfd that wakes the
// loop's poll. Post never blocks on the loop: it holds the lock only to queue and to write the
// eventfd, and the loop never holds it while running hooks, so a hook may Post. Thread-safe.
#pragma once

#include <deque>
#include <optional>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor::detail {

class CommandQueue {
 public:
  CommandQueue() = default;
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;

  // Creates the eventfd (non-blocking, close-on-exec) and accepts commands again. Commands
  // posted before Open are kept. kInternal when eventfd fails.
  [[nodiscard]] Status Open();
  // Drops what is pending and closes the eventfd; later Posts are dropped until Open.
  void Close();
  // A command and how many launches the loop had counted when it was posted.
  struct Posted {
    Command command;
    int launches = 0;
  };
  // Queues `command` and wakes the loop (if open).
  void Post(Command command);
  // Loop thread: one more listener launch; commands posted from now on carry the new count.
  void CountLaunch();
  // The oldest command; nullopt when none is left, which also clears the wake-up.
  std::optional<Posted> Pop();
  // The descriptor to poll for POLLIN, or -1 before Open. Loop thread only.
  int fd() const noexcept { return wake_.get(); }

 private:
  void Wake() REQUIRES(mu_);  // and wake_ valid

  Mutex mu_;
  std::deque<Posted> pending_ GUARDED_BY(mu_);
  int launches_ GUARDED_BY(mu_) = 0;
  UniqueFd wake_;  // written under mu_; opened and closed by the loop thread, read by it unlocked
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace agentboot::supervisor::detail

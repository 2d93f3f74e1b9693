// The production mailbox: a mutex-guarded queue and a condition variable on the system clock
// (the production Clock is the system clock).
#include <deque>

#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

class ConditionMailbox final : public Mailbox {
 public:
  void Post(Message message) override {
    {
      MutexLock lock(mu_);
      queue_.push_back(std::move(message));
    }
    ready_.NotifyOne();
  }

  std::optional<Message> WaitUntil(TimePoint deadline) override {
    MutexLock lock(mu_);
    while (queue_.empty() && ready_.WaitUntil(mu_, deadline)) {
    }
    if (queue_.empty()) return std::nullopt;
    Message message = std::move(queue_.front());
    queue_.pop_front();
    return message;
  }

 private:
  Mutex mu_;
  CondVar ready_;
  std::deque<Message> queue_ GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<Mailbox> NewMailbox() { return std::make_unique<ConditionMailbox>(); }

}  // namespace agentboot::lifecycle

// The production mailbox: a mutex-guarded queue and a condition variable on the system clock
// (the production Clock is the system clock).
#include <condition_variable>
#include <deque>
#include <mutex>

#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

class ConditionMailbox final : public Mailbox {
 public:
  void Post(Message message) override {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(message));
    }
    ready_.notify_one();
  }

  std::optional<Message> WaitUntil(TimePoint deadline) override {
    std::unique_lock lock(mu_);
    ready_.wait_until(lock, deadline, [&] { return !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    Message message = std::move(queue_.front());
    queue_.pop_front();
    return message;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Message> queue_;
};

}  // namespace

std::unique_ptr<Mailbox> NewMailbox() { return std::make_unique<ConditionMailbox>(); }

}  // namespace agentboot::lifecycle

#include "coalesced_writer.h"

namespace agentboot::sim::detail {

CoalescedWriter::CoalescedWriter(std::function<void()> save, Duration delay)
    : save_(std::move(save)), delay_(delay), thread_([this] { Loop(); }) {}

CoalescedWriter::~CoalescedWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  Flush();
}

void CoalescedWriter::Mark() {
  {
    std::lock_guard lock(mu_);
    if (dirty_) return;
    dirty_ = true;
  }
  wake_.notify_all();
}

void CoalescedWriter::Flush() { SaveIfDirty(); }

void CoalescedWriter::SaveIfDirty() {
  std::lock_guard saving(save_mu_);
  {
    std::lock_guard lock(mu_);
    if (!dirty_) return;
    // Cleared before the save reads the state: a change made during the save marks it again.
    dirty_ = false;
  }
  save_();
}

void CoalescedWriter::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait(lock, [this] { return dirty_ || stopping_; });
    if (stopping_) break;
    // Let the burst gather; stopping ends the wait early (the destructor flushes).
    wake_.wait_for(lock, delay_, [this] { return stopping_; });
    lock.unlock();
    SaveIfDirty();
    lock.lock();
  }
}

}  // namespace agentboot::sim::detail

#include "coalesced_writer.h"

namespace agentboot::sim::detail {

CoalescedWriter::CoalescedWriter(std::function<void()> save, Duration delay)
    : save_(std::move(save)), delay_(delay), thread_([this] { Loop(); }) {}

CoalescedWriter::~CoalescedWriter() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  thread_.join();
  Flush();
}

void CoalescedWriter::Mark() {
  {
    MutexLock lock(mu_);
    if (dirty_) return;
    dirty_ = true;
  }
  wake_.NotifyAll();
}

void CoalescedWriter::Flush() { SaveIfDirty(); }

void CoalescedWriter::SaveIfDirty() {
  MutexLock saving(save_mu_);
  {
    MutexLock lock(mu_);
    if (!dirty_) return;
    // Cleared before the save reads the state: a change made during the save marks it again.
    dirty_ = false;
  }
  save_();
}

void CoalescedWriter::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    while (!dirty_ && !stopping_) wake_.Wait(mu_);
    if (stopping_) break;
    // Let the burst gather; stopping ends the wait early (the destructor flushes).
    const auto gathered = std::chrono::steady_clock::now() + delay_;
    while (!stopping_ && wake_.WaitUntil(mu_, gathered)) {
    }
    lock.Unlock();
    SaveIfDirty();
    lock.Lock();
  }
}

}  // namespace agentboot::sim::detail

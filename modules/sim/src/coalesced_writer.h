// Coalesces saves: Mark() says the state changed; one background thread runs `save` once the
// state has been dirty for `delay`, so a burst of changes costs one write. Flush() saves at once
// when dirty; the destructor flushes. `save` runs on one thread at a time and must not call back
// into the writer. Thread-safe.
#pragma once

#include <functional>
#include <thread>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

class CoalescedWriter {
 public:
  CoalescedWriter(std::function<void()> save, Duration delay);
  CoalescedWriter(const CoalescedWriter&) = delete;
  CoalescedWriter& operator=(const CoalescedWriter&) = delete;
  ~CoalescedWriter();

  void Mark();
  void Flush();

 private:
  void Loop();
  void SaveIfDirty();

  std::function<void()> save_;
  const Duration delay_;
  Mutex mu_;
  CondVar wake_;
  Mutex save_mu_;  // one save at a time (the thread and Flush)
  bool dirty_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace agentboot::sim::detail

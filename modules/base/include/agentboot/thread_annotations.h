// Thread-safety annotations and an annotated mutex. libstdc++'s std::mutex carries no capability
// attributes, so clang's -Wthread-safety cannot see which lock guards what; Mutex,
// MutexLock and CondVar (module base) wrap the standard types with them. Members read or written by
// more than one thread are declared GUARDED_BY(mu_), functions that expect the lock REQUIRES(mu_),
// and clang (the clang-tidy stage of tests/run.sh, and any clang build) rejects an access without
// the lock. Under GCC the macros are empty and the types cost what std::mutex costs.
//
// Condition waits are written as loops (`while (!ready_) cv_.Wait(mu_);`), not predicate lambdas:
// the analysis checks each lambda on its own and cannot know that the waiter holds the lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define AGENTBOOT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define AGENTBOOT_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) AGENTBOOT_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY AGENTBOOT_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) AGENTBOOT_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) AGENTBOOT_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) AGENTBOOT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) AGENTBOOT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) AGENTBOOT_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) AGENTBOOT_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) AGENTBOOT_THREAD_ANNOTATION(assert_capability(x))
#define NO_THREAD_SAFETY_ANALYSIS AGENTBOOT_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace agentboot {

class CondVar;

// A std::mutex the analysis knows as a capability. Lock it through MutexLock.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to the end of the scope (std::unique_lock, annotated). Unlock()
// and Lock() let a caller leave the lock for a slow call (an HTTP fetch) and take it back.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// std::condition_variable for a base::Mutex. Every wait needs the mutex held and returns with it
// held again; like any condition variable it may wake spuriously, so callers loop on their
// condition.
class CondVar {
 public:
  void Wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // the caller's MutexLock still owns it
  }
  // false once `deadline` passed (the caller then re-checks its condition and gives up).
  template <typename ClockType, typename DurationType>
  bool WaitUntil(Mutex& mu, const std::chrono::time_point<ClockType, DurationType>& deadline)
      REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  template <typename Rep, typename Period>
  bool WaitFor(Mutex& mu, const std::chrono::duration<Rep, Period>& timeout) REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + timeout);
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace agentboot

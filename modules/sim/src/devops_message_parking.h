// Parks the listeners' long polls (GET …/messages, agent-contract §3): a parked poll sleeps on its
// agent's condition variable in the SessionBoard until a message arrives, its session ends, its
// time is up or the simulator stops. It never wakes on a timer, so a fleet of idle listeners costs
// no CPU. Jobs that become assignable without a request that dispatches them (an agent enabled
// again, a capability added) are found by one ticker thread that runs the dispatcher every `tick`
// while any poll is parked; before, every parked poll ran the dispatcher every 250 ms.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "devops_jobs.h"
#include "devops_sessions.h"

namespace agentboot::sim::detail {

class MessageParking {
 public:
  // `dispatcher` and `board` outlive the parking.
  MessageParking(JobDispatcher& dispatcher, SessionBoard& board,
                 Duration tick = std::chrono::milliseconds(250));
  MessageParking(const MessageParking&) = delete;
  MessageParking& operator=(const MessageParking&) = delete;
  ~MessageParking();

  // The clock the dispatcher runs on (the simulator's, which the control API may advance).
  void SetClock(std::function<TimePoint()> clock);

  // Runs the dispatcher once, then waits up to `timeout` for a message for the session's agent:
  // the oldest undeleted one, or nullopt (timeout, session closed, agent deleted, Stop).
  std::optional<AgentMessage> Park(const std::string& session_id, Duration timeout);

  // Stops the ticker; polls parked later still wait for their messages or deadlines.
  void Stop();

  int64_t parked() const { return parked_.load(); }
  int64_t peak_parked() const { return peak_parked_.load(); }

 private:
  TimePoint Now() const;
  void EnsureTicker();
  void Tick();

  JobDispatcher& dispatcher_;
  SessionBoard& board_;
  const Duration tick_;
  std::atomic<int64_t> parked_{0};
  std::atomic<int64_t> peak_parked_{0};
  mutable Mutex mu_;
  CondVar wake_;
  std::function<TimePoint()> clock_ GUARDED_BY(mu_);
  std::thread ticker_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
};

}  // namespace agentboot::sim::detail

#include "devops_message_parking.h"

#include <algorithm>

namespace agentboot::sim::detail {

MessageParking::MessageParking(JobDispatcher& dispatcher, SessionBoard& board, Duration tick)
    : dispatcher_(dispatcher), board_(board), tick_(tick) {}

MessageParking::~MessageParking() { Stop(); }

void MessageParking::SetClock(std::function<TimePoint()> clock) {
  MutexLock lock(mu_);
  clock_ = std::move(clock);
}

TimePoint MessageParking::Now() const {
  std::function<TimePoint()> clock;
  {
    MutexLock lock(mu_);
    clock = clock_;
  }
  return clock ? clock() : std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

std::optional<AgentMessage> MessageParking::Park(const std::string& session_id, Duration timeout) {
  dispatcher_.Dispatch(Now());
  EnsureTicker();
  const int64_t now_parked = ++parked_;
  int64_t peak = peak_parked_.load();
  while (now_parked > peak && !peak_parked_.compare_exchange_weak(peak, now_parked)) {
  }
  std::optional<AgentMessage> message = board_.Wait(session_id, std::max(Duration(0), timeout));
  --parked_;
  return message;
}

void MessageParking::EnsureTicker() {
  MutexLock lock(mu_);
  if (stopping_ || ticker_.joinable()) return;
  ticker_ = std::thread([this] { Tick(); });
}

void MessageParking::Tick() {
  MutexLock lock(mu_);
  while (!stopping_) {
    const auto next_tick = std::chrono::steady_clock::now() + tick_;
    while (!stopping_ && wake_.WaitUntil(mu_, next_tick)) {
    }
    if (stopping_ || parked_.load() == 0) continue;
    lock.Unlock();
    dispatcher_.Dispatch(Now());
    lock.Lock();
  }
}

void MessageParking::Stop() {
  std::thread ticker;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    ticker = std::move(ticker_);
  }
  wake_.NotifyAll();
  if (ticker.joinable()) ticker.join();
}

}  // namespace agentboot::sim::detail

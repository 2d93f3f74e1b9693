#include "devops_throttle.h"

#include <algorithm>
#include <cmath>

namespace agentboot::sim::detail {

void TokenBucketThrottle::Configure(double requests_per_minute, double burst,
                                    std::string only_identity) {
  MutexLock lock(mu_);
  buckets_.clear();
  not_before_.clear();
  counters_ = {};
  if (requests_per_minute <= 0) {
    per_second_ = 0;
    capacity_ = 0;
    only_identity_.clear();
    return;
  }
  per_second_ = requests_per_minute / 60.0;
  capacity_ = std::max(1.0, burst > 0 ? burst : requests_per_minute);
  only_identity_ = ToLower(only_identity);
}

TokenBucketThrottle::Counters TokenBucketThrottle::counters() const {
  MutexLock lock(mu_);
  return counters_;
}

TokenBucketThrottle::Verdict TokenBucketThrottle::Take(const std::string& identity, TimePoint now,
                                                       const std::string& client) {
  MutexLock lock(mu_);
  Verdict verdict;
  if (per_second_ <= 0) return verdict;
  if (!only_identity_.empty() && ToLower(identity) != only_identity_) return verdict;
  verdict.active = true;
  verdict.limit = static_cast<int64_t>(capacity_);
  const std::string client_key = client.empty() ? std::string() : ToLower(identity) + " " + client;
  if (!client_key.empty()) {
    auto waiting = not_before_.find(client_key);
    if (waiting != not_before_.end()) {
      if (now < waiting->second) ++counters_.early;
      not_before_.erase(waiting);
    }
  }
  auto [it, inserted] = buckets_.try_emplace(ToLower(identity), Bucket{capacity_, now});
  Bucket& bucket = it->second;
  if (!inserted && now > bucket.last) {
    const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens = std::min(capacity_, bucket.tokens + elapsed * per_second_);
    bucket.last = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    verdict.allowed = true;
  } else {
    verdict.allowed = false;
    verdict.retry_after_seconds =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - bucket.tokens) / per_second_)));
    ++counters_.refused;
    if (!client_key.empty()) {
      not_before_[client_key] = now + std::chrono::seconds(verdict.retry_after_seconds);
    }
  }
  verdict.remaining = verdict.allowed ? static_cast<int64_t>(std::floor(bucket.tokens)) : 0;
  const double to_full = (capacity_ - bucket.tokens) / per_second_;
  verdict.reset_epoch = ToUnixSeconds(now) + static_cast<int64_t>(std::ceil(to_full));
  return verdict;
}

}  // namespace agentboot::sim::detail

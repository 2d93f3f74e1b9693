#include "imds_limits.h"

#include <algorithm>
#include <chrono>

namespace agentboot::sim::detail {

ImdsLimits::Admission::~Admission() { owner_->Leave(category_); }

void ImdsLimits::Configure(const ImdsLimitSettings& settings) {
  MutexLock lock(mu_);
  settings_ = settings;
  for (Window* window : {&identity_, &other_}) {  // requests in flight still leave later
    window->admitted.clear();
    window->counters = Counters{};
  }
}

ImdsLimitSettings ImdsLimits::settings() const {
  MutexLock lock(mu_);
  return settings_;
}

ImdsLimits::Window& ImdsLimits::WindowOf(ImdsCategory category) {
  return category == ImdsCategory::kIdentity ? identity_ : other_;
}

std::unique_ptr<ImdsLimits::Admission> ImdsLimits::Enter(ImdsCategory category, TimePoint now) {
  MutexLock lock(mu_);
  Window& window = WindowOf(category);
  const bool identity = category == ImdsCategory::kIdentity;
  if (settings_.enabled) {
    while (!window.admitted.empty() && now - window.admitted.front() >= std::chrono::seconds(1)) {
      window.admitted.pop_front();
    }
    const int per_second = identity ? settings_.identity_per_second : settings_.other_per_second;
    if (std::ssize(window.admitted) >= per_second) {
      ++window.counters.refused_rate;
      return nullptr;
    }
    if (identity && window.in_flight >= settings_.identity_concurrent) {
      ++window.counters.refused_concurrency;
      return nullptr;
    }
    window.admitted.push_back(now);
  }
  ++window.in_flight;
  ++window.counters.admitted;
  window.counters.peak_in_flight = std::max(window.counters.peak_in_flight, window.in_flight);
  return std::make_unique<Admission>(this, category);
}

void ImdsLimits::Leave(ImdsCategory category) {
  MutexLock lock(mu_);
  --WindowOf(category).in_flight;
}

ImdsLimits::Counters ImdsLimits::counters(ImdsCategory category) const {
  MutexLock lock(mu_);
  return category == ImdsCategory::kIdentity ? identity_.counters : other_.counters;
}

}  // namespace agentboot::sim::detail

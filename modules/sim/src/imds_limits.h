// IMDS's per-VM rate limits (identity-contract §2: instance-metadata-service.md "Rate limiting").
// The Managed Identity category takes 20 requests a second and 5 at a time per VM; every other
// category 5 requests a second; anything beyond gets 429 and the client backs off (§2.1,
// how-to-use-vm-token.md "Retry guidance"). The simulator stands in for one VM's IMDS only when
// the limits are on: a fleet benchmark that uses one simulator for a thousand VMs leaves them
// off (the default). Pure: the caller passes the time. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

enum class ImdsCategory { kIdentity, kOther };

struct ImdsLimitSettings {
  bool enabled = false;
  int identity_per_second = 20;
  int identity_concurrent = 5;
  int other_per_second = 5;
};

class ImdsLimits {
 public:
  // Held while a request is served: the Managed Identity category counts requests in flight.
  class Admission {
   public:
    explicit Admission(ImdsLimits* owner, ImdsCategory category)
        : owner_(owner), category_(category) {}
    Admission(const Admission&) = delete;
    Admission& operator=(const Admission&) = delete;
    ~Admission();

   private:
    ImdsLimits* owner_;
    ImdsCategory category_;
  };

  struct Counters {
    int64_t admitted = 0;
    int64_t refused_rate = 0;         // over the per-second limit
    int64_t refused_concurrency = 0;  // over the requests-in-flight limit
    int peak_in_flight = 0;           // Managed Identity category
  };

  void Configure(const ImdsLimitSettings& settings);
  ImdsLimitSettings settings() const;
  // An admission, or nullptr when IMDS would answer 429.
  std::unique_ptr<Admission> Enter(ImdsCategory category, TimePoint now);
  Counters counters(ImdsCategory category) const;

 private:
  struct Window {
    std::deque<TimePoint> admitted;  // admissions of the last second, oldest first
    int in_flight = 0;
    Counters counters;
  };
  Window& WindowOf(ImdsCategory category) REQUIRES(mu_);
  void Leave(ImdsCategory category);

  mutable Mutex mu_;
  ImdsLimitSettings settings_ GUARDED_BY(mu_);
  Window identity_ GUARDED_BY(mu_);
  Window other_ GUARDED_BY(mu_);
};

}  // namespace agentboot::sim::detail

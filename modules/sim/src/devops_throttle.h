// Per-identity rate limiting for the simulated Azure DevOps: a token bucket per identity,
// configured by the control API. Answers carry what a 429 must say (azure-devops-docs
// rate-limits.md, identity-contract §6.5). Pure: the caller passes the time. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

class TokenBucketThrottle {
 public:
  struct Verdict {
    bool allowed = true;
    int64_t retry_after_seconds = 0;  // > 0 when refused
    int64_t limit = 0;                // bucket capacity
    int64_t remaining = 0;            // whole tokens left after this request
    int64_t reset_epoch = 0;          // Unix time when the bucket is full again
    bool active = false;              // false: throttling is off, headers need not be sent
  };

  // requests_per_minute <= 0 disables throttling. `burst` is the bucket size (defaults to the
  // per-minute rate, at least 1). A non-empty `only_identity` limits just that identity.
  void Configure(double requests_per_minute, double burst, std::string only_identity);

  // Takes one token for `identity` at `now`. `client` names the caller process (its X-TFS-Session
  // header; empty: unknown): a request of a client that was told to wait (Retry-After) and comes
  // back before that time is counted as early, whatever the verdict.
  Verdict Take(const std::string& identity, TimePoint now, const std::string& client = {});

  struct Counters {
    int64_t refused = 0;  // 429s
    int64_t early = 0;    // requests before the client's Retry-After expired
  };
  Counters counters() const;

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint last;
  };
  mutable Mutex mu_;
  double per_second_ GUARDED_BY(mu_) = 0;
  double capacity_ GUARDED_BY(mu_) = 0;
  std::string only_identity_ GUARDED_BY(mu_);
  std::map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
  // identity + client -> the end of its Retry-After
  std::map<std::string, TimePoint> not_before_ GUARDED_BY(mu_);
  Counters counters_ GUARDED_BY(mu_);
};

}  // namespace agentboot::sim::detail

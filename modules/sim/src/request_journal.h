// The simulator's request log, bounded: exact counters per (path, identity, status) for every
// request ever recorded (since the last Clear), and the detailed entries of the most recent
// `capacity` requests in a ring. Recording is O(log paths); a read copies at most `capacity`
// entries under the lock and formats them outside it. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "sim_internal.h"

namespace agentboot::sim::detail {

class RequestJournal {
 public:
  explicit RequestJournal(size_t capacity) : capacity_(capacity) {}

  // Gives the entry the next sequence number; drops the oldest kept entry when full.
  void Record(LoggedRequest entry);
  void Clear();

  // Kept entries whose path starts with `prefix` and whose sequence is above `after`, oldest
  // first; at most `limit` of them (the newest), 0 = all kept.
  std::vector<LoggedRequest> Entries(const std::string& prefix = {}, int64_t after = 0,
                                     size_t limit = 0) const;

  struct Counts {
    int64_t total = 0;
    std::map<std::string, int64_t> by_path;
    std::map<std::string, int64_t> by_identity;  // requests with a known identity only
    std::map<int, int64_t> by_status;
  };
  // Exact counts over every request recorded since the last Clear whose path starts with `prefix`.
  Counts Count(const std::string& prefix = {}) const;

  size_t capacity() const { return capacity_; }
  int64_t last_sequence() const;

 private:
  using Key = std::tuple<std::string, std::string, int>;  // path, identity, status
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<LoggedRequest> ring_ GUARDED_BY(mu_);
  std::map<Key, int64_t> counts_ GUARDED_BY(mu_);
  int64_t sequence_ GUARDED_BY(mu_) = 0;
};

}  // namespace agentboot::sim::detail

#include "request_journal.h"

#include <algorithm>

namespace agentboot::sim::detail {

void RequestJournal::Record(LoggedRequest entry) {
  MutexLock lock(mu_);
  entry.sequence = ++sequence_;
  ++counts_[Key{entry.path, entry.identity, entry.status}];
  if (capacity_ == 0) return;
  if (ring_.size() == capacity_) ring_.pop_front();
  ring_.push_back(std::move(entry));
}

void RequestJournal::Clear() {
  MutexLock lock(mu_);
  ring_.clear();
  counts_.clear();
}

std::vector<LoggedRequest> RequestJournal::Entries(const std::string& prefix, int64_t after,
                                                   size_t limit) const {
  std::vector<LoggedRequest> out;
  MutexLock lock(mu_);
  // Newest first, so a limit stops the walk early; reversed at the end.
  for (auto it = ring_.rbegin(); it != ring_.rend(); ++it) {
    if (it->sequence <= after || (limit != 0 && out.size() == limit)) break;
    if (StartsWith(it->path, prefix)) out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RequestJournal::Counts RequestJournal::Count(const std::string& prefix) const {
  Counts counts;
  MutexLock lock(mu_);
  // Keys sort by path first, so the matching paths are one contiguous run.
  for (auto it = counts_.lower_bound(Key{prefix, "", 0}); it != counts_.end(); ++it) {
    const auto& [path, identity, status] = it->first;
    if (!StartsWith(path, prefix)) break;
    counts.total += it->second;
    counts.by_path[path] += it->second;
    if (!identity.empty()) counts.by_identity[identity] += it->second;
    counts.by_status[status] += it->second;
  }
  return counts;
}

int64_t RequestJournal::last_sequence() const {
  MutexLock lock(mu_);
  return sequence_;
}

}  // namespace agentboot::sim::detail

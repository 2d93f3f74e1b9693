// Control switches for failures the admin commands diagnose (`agentboot doctor`), set through
// POST /_control/devops/anonymous (devops_admin_routes.cc). Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace agentboot::sim::detail {

class AdminSwitches {
 public:
  // connectionData answers as the anonymous user for this oid (what Azure DevOps shows an
  // identity without a licence or access to the organization).
  void SetAnonymous(const std::string& oid, bool anonymous) {
    std::lock_guard lock(mu_);
    if (anonymous) {
      anonymous_.insert(oid);
    } else {
      anonymous_.erase(oid);
    }
  }
  bool IsAnonymous(const std::string& oid) const {
    std::lock_guard lock(mu_);
    return anonymous_.count(oid) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> anonymous_;
};

}  // namespace agentboot::sim::detail

// Control switches for failures the admin commands diagnose (`agentboot doctor`), set through
// POST /_control/devops/anonymous (devops_admin_routes.cc). Thread-safe.
#pragma once

#include <set>
#include <string>

#include "agentboot/thread_annotations.h"

namespace agentboot::sim::detail {

class AdminSwitches {
 public:
  // connectionData answers as the anonymous user for this oid (what Azure DevOps shows an
  // identity without a licence or access to the organization).
  void SetAnonymous(const std::string& oid, bool anonymous) {
    MutexLock lock(mu_);
    if (anonymous) {
      anonymous_.insert(oid);
    } else {
      anonymous_.erase(oid);
    }
  }
  bool IsAnonymous(const std::string& oid) const {
    MutexLock lock(mu_);
    return anonymous_.count(oid) > 0;
  }

 private:
  mutable Mutex mu_;
  std::set<std::string> anonymous_ GUARDED_BY(mu_);
};

}  // namespace agentboot::sim::detail

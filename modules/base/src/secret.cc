#include <cstring>

#include "agentboot/base.h"

namespace agentboot {

void Secret::Wipe() noexcept {
  // The whole buffer, not only size(): a shorter value may have followed a longer one.
  value_.resize(value_.capacity());
  ::explicit_bzero(value_.data(), value_.size());
  value_.clear();
}

}  // namespace agentboot

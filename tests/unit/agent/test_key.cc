#include "test_key.h"

#include <cstdlib>

namespace agentboot::agent::testing {

const jose::RsaKey& TestKey() {
  static const jose::RsaKey key = [] {
    auto generated = jose::RsaKey::Generate(2048);
    if (!generated) std::abort();
    return std::move(*generated);
  }();
  return key;
}

}  // namespace agentboot::agent::testing

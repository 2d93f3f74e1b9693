// KeyInAdvance (agent.h): RSA-2048 generation is nearly all of a fresh registration's own work
// (issue 13: 97-99 % of its instructions), so `run` starts it before the token and package steps.
#include <system_error>

#include "agentboot/agent.h"

namespace agentboot::agent {

KeyInAdvance::KeyInAdvance() {
  try {
    pending_ = std::async(std::launch::async, [] { return jose::RsaKey::Generate(2048); });
  } catch (const std::system_error&) {
    // No thread to be had: Take() makes the key then, as registration always did.
  }
}

Result<jose::RsaKey> KeyInAdvance::Take() {
  MutexLock lock(mu_);
  if (pending_.valid()) return pending_.get();
  return jose::RsaKey::Generate(2048);
}

}  // namespace agentboot::agent

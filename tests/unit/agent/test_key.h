// A 2048-bit key shared by the agent tests, generated once per process (generation is slow).
#pragma once

#include "agentboot/jose.h"

namespace agentboot::agent::testing {

const jose::RsaKey& TestKey();

}  // namespace agentboot::agent::testing

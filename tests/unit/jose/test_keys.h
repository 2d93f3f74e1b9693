// Keys shared by the jose tests. Generated once per process: RSA generation is slow.
#pragma once

#include "agentboot/jose.h"

namespace agentboot::jose::testing {

const RsaKey& TestKey();       // 2048-bit key pair
const RsaKey& OtherTestKey();  // a different 2048-bit key pair

}  // namespace agentboot::jose::testing

#include "test_keys.h"

#include <cstdlib>

namespace agentboot::jose::testing {
namespace {

RsaKey MustGenerate() {
  auto key = RsaKey::Generate(2048);
  if (!key) std::abort();
  return std::move(*key);
}

}  // namespace

const RsaKey& TestKey() {
  static const RsaKey key = MustGenerate();
  return key;
}

const RsaKey& OtherTestKey() {
  static const RsaKey key = MustGenerate();
  return key;
}

}  // namespace agentboot::jose::testing

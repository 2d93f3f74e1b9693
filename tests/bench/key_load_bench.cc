// Times jose::RsaKey::FromComponents on an RSA-2048 private key (what a re-run spends checking
// the stored agent key) and checks that an inconsistent key is still refused. Not part of the
// build; compile it on its own from the repository root:
//   g++ -std=c++20 -O2 -DNDEBUG -Imodules/jose/include -Imodules/base/include -Imodules/jose/src \
//     tests/bench/key_load_bench.cc modules/jose/src/*.cc modules/base/src/*.cc -lssl -lcrypto \
//     -o /tmp/key_load_bench && /tmp/key_load_bench
#include <chrono>
#include <cstdio>

#include "agentboot/jose.h"
using namespace agentboot::jose;
int main() {
  auto key = RsaKey::Generate(2048);
  if (!key) return 1;
  RsaComponents c = key->Components();
  const int runs = 50;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) {
    auto k = RsaKey::FromComponents(c);
    if (!k) return 2;
  }
  auto t1 = std::chrono::steady_clock::now();
  std::printf("FromComponents (RSA-2048 private): %.2f ms per load (%d loads)\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count() / runs, runs);
  c.d.back() ^= 1;
  std::printf("inconsistent d rejected: %s\n", RsaKey::FromComponents(c) ? "no" : "yes");
}

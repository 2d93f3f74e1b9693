// Runs a libFuzzer target over its seed inputs (and any files given on the command line) without
// libFuzzer, so every build keeps the targets compiling and crash-free on known-tricky inputs.
// With clang, configure -DAGENTBOOT_FUZZ=ON to build the real fuzzers instead.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      "",
      ".",
      "..",
      "a.b.c",
      "eyJhbGciOiJSUzI1NiJ9.e30.",
      "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.AAAA",
      "====",
      "-_-_",
      "{\"access_token\":\"x\",\"expires_in\":\"86399\"}",
      "{\"access_token\":\"x\",\"expires_on\":\"11/05/2021 15:18:31 +00:00\"}",
      "{\"access_token\":\"x\",\"expires_on\":\"2021-11-05T15:18:31Z\",\"refresh_in\":-5}",
      "{\"accessToken\":\"x\",\"expiresOn\":\"2022-08-24 00:43:08.000000\"}",
      "{\"access_token\":\"\",\"expires_in\":1e309}",
      "Wed, 21 Oct 2015 07:28:00 GMT",
      "99999999999999999999",
      std::string("\0\xff\xfe", 3),
  };
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (const auto& seed : Seeds()) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    ++runs;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    ++runs;
  }
  std::cout << runs << " passed, 0 failed\n";
  return 0;
}

// Runs a libFuzzer target over its seed inputs (and any files given on the command line, or every
// file of a directory given, such as the target's corpus) without libFuzzer, so every build keeps
// the targets compiling and crash-free on known-tricky inputs.
// With clang, configure -DAGENTBOOT_FUZZ=ON to build the real fuzzers instead.
#include <algorithm>
#include <cstdint>
#include <filesystem>
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

// The files named: a directory stands for its regular files, in name order.
std::vector<std::string> InputFiles(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::filesystem::is_directory(argv[i])) {
      files.emplace_back(argv[i]);
      continue;
    }
    std::vector<std::string> in_dir;
    for (const auto& entry : std::filesystem::directory_iterator(argv[i])) {
      if (entry.is_regular_file()) in_dir.push_back(entry.path().string());
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (const auto& seed : Seeds()) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
    ++runs;
  }
  const std::vector<std::string> files = InputFiles(argc, argv);
  if (argc > 1 && files.empty()) {
    std::cerr << "no input files in the paths given\n";
    return 1;
  }
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    ++runs;
  }
  std::cout << runs << " passed, 0 failed\n";
  return 0;
}

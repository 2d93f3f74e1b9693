// TEST_ hook for crash-safety tests. With AGENTBOOT_TEST_CRASH_AFTER=N in the environment the
// process ends with _exit(137) right after its N-th step, a step being an HTTP exchange that got
// an answer or a file written. The integration tests use it to prove that a crash between any two
// steps of `register` leaves a state the next run repairs. Unset in normal use: then nothing is
// wrapped. Only the agentboot-testhooks binary reads the variable (AGENTBOOT_TEST_HOOKS); the
// agentboot binary has no such code path.
#pragma once

#include <atomic>
#include <memory>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::cli {

class TEST_CrashCounter {
 public:
  explicit TEST_CrashCounter(int crash_after) : crash_after_(crash_after) {}
  void Step();  // exits the process at the configured step

 private:
  const int crash_after_;
  std::atomic<int> steps_{0};
};

class TEST_CrashingTransport final : public http::Transport {
 public:
  TEST_CrashingTransport(http::Transport& inner, TEST_CrashCounter& counter)
      : inner_(inner), counter_(counter) {}
  Result<http::Response> Send(const http::Request& request) override;

 private:
  http::Transport& inner_;
  TEST_CrashCounter& counter_;
};

class TEST_CrashingFileSystem final : public ForwardingFileSystem {
 public:
  TEST_CrashingFileSystem(FileSystem& inner, TEST_CrashCounter& counter)
      : ForwardingFileSystem(inner), inner_(inner), counter_(counter) {}
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode) override;
  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override;

 private:
  FileSystem& inner_;
  TEST_CrashCounter& counter_;
};

}  // namespace agentboot::cli

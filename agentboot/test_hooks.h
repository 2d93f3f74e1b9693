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

class TEST_CrashingFileSystem final : public FileSystem {
 public:
  TEST_CrashingFileSystem(FileSystem& inner, TEST_CrashCounter& counter)
      : inner_(inner), counter_(counter) {}
  Result<std::string> ReadFile(const std::string& path) override { return inner_.ReadFile(path); }
  Result<FileInfo> Stat(const std::string& path) override { return inner_.Stat(path); }
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode) override;
  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override;
  Status ChownNoFollow(const std::string& dir, const std::string& name, FileOwner owner,
                       std::optional<uint32_t> mode) override {
    return inner_.ChownNoFollow(dir, name, owner, mode);
  }
  Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_size) override {
    return inner_.ReadRegularFile(path, max_size);
  }
  Status Remove(const std::string& path) override { return inner_.Remove(path); }
  Status CreateDirectories(const std::string& path, uint32_t mode) override {
    return inner_.CreateDirectories(path, mode);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    return inner_.ListDirectory(path);
  }

 private:
  FileSystem& inner_;
  TEST_CrashCounter& counter_;
};

}  // namespace agentboot::cli

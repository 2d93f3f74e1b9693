#include "test_hooks.h"

#include <unistd.h>

namespace agentboot::cli {

void TEST_CrashCounter::Step() {
  if (++steps_ == crash_after_) ::_exit(137);
}

Result<http::Response> TEST_CrashingTransport::Send(const http::Request& request) {
  auto response = inner_.Send(request);
  if (response) counter_.Step();
  return response;
}

Status TEST_CrashingFileSystem::WriteFileAtomic(const std::string& path, std::string_view content,
                                                uint32_t mode) {
  auto written = inner_.WriteFileAtomic(path, content, mode);
  counter_.Step();
  return written;
}

Status TEST_CrashingFileSystem::WriteFileAtomicOwned(const std::string& path,
                                                     std::string_view content, uint32_t mode,
                                                     FileOwner owner) {
  auto written = inner_.WriteFileAtomicOwned(path, content, mode, owner);
  counter_.Step();
  return written;
}

}  // namespace agentboot::cli

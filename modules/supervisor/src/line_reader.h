// Splits a child's output pipe into lines for Hooks::on_line. Not thread-safe; owned by the loop.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor::detail {

using LineSink = std::function<void(std::string_view line, Stream stream)>;

class LineReader {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;  // a runaway line is split, never buffered whole

  LineReader(UniqueFd fd, Stream stream) : fd_(std::move(fd)), stream_(stream) {}
  int fd() const noexcept { return fd_.get(); }
  bool open() const noexcept { return fd_.valid(); }
  // Reads what is available (the fd is non-blocking) and emits complete lines. At end of file
  // emits the unterminated rest and closes the fd.
  void Drain(const LineSink& sink);

 private:
  void Emit(const LineSink& sink, std::string_view line) const;

  UniqueFd fd_;
  Stream stream_;
  std::string pending_;
};

}  // namespace agentboot::supervisor::detail

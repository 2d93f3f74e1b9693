#include "line_reader.h"

#include <array>

#include <errno.h>
#include <unistd.h>

namespace agentboot::supervisor::detail {

void LineReader::Emit(const LineSink& sink, std::string_view line) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (sink) sink(line, stream_);
}

void LineReader::Drain(const LineSink& sink) {
  std::array<char, 8192> buffer{};
  while (fd_.valid()) {
    const ssize_t got = ::read(fd_.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got <= 0) {  // end of file, or an error that will not go away
      if (!pending_.empty()) Emit(sink, pending_);
      pending_.clear();
      fd_.Reset();
      return;
    }
    pending_.append(buffer.data(), static_cast<size_t>(got));
    size_t start = 0;
    for (size_t nl = pending_.find('\n'); nl != std::string::npos;
         nl = pending_.find('\n', start)) {
      Emit(sink, std::string_view(pending_).substr(start, nl - start));
      start = nl + 1;
    }
    pending_.erase(0, start);
    while (pending_.size() >= kMaxLine) {
      Emit(sink, std::string_view(pending_).substr(0, kMaxLine));
      pending_.erase(0, kMaxLine);
    }
  }
}

}  // namespace agentboot::supervisor::detail

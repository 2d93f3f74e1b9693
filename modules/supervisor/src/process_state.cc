// A process's scheduler state from /proc/<pid>/stat, so health can tell a SIGSTOPped listener
// from a running one (security review L12).
#include <array>

#include "agentboot/supervisor.h"

#include <fcntl.h>
#include <unistd.h>

namespace agentboot::supervisor {

std::optional<char> ParseProcStatState(std::string_view stat) {
  // "pid (comm) S ...": comm may hold spaces and parentheses, so the state follows the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size() || stat[close + 1] != ' ') {
    return std::nullopt;
  }
  return stat[close + 2];
}

std::optional<char> ProcessState(int pid) {
  if (pid <= 0) return std::nullopt;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // no ifstream: it leaks on exec
  if (fd < 0) return std::nullopt;
  std::array<char, 1024> buffer{};
  const ssize_t got = ::read(fd, buffer.data(), buffer.size());
  ::close(fd);
  if (got <= 0) return std::nullopt;
  return ParseProcStatState(std::string_view(buffer.data(), static_cast<size_t>(got)));
}

bool IsStoppedState(std::optional<char> state) { return state && (*state == 'T' || *state == 't'); }

}  // namespace agentboot::supervisor

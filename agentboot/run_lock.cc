#include "run_lock.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

std::string LockPath(const std::string& dir) { return dir + "/.agentboot.lock"; }
std::string PidPath(const std::string& dir) { return dir + "/.agentboot.pid"; }

std::optional<int> ReadPid(FileSystem& fs, const std::string& dir) {
  auto text = fs.ReadFile(PidPath(dir));
  if (!text) return std::nullopt;
  try {
    const int pid = std::stoi(*text);
    return pid > 0 ? std::optional<int>(pid) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<RunLock> RunLock::Acquire(FileSystem& fs, const std::string& agent_dir) {
  const std::string lock_path = LockPath(agent_dir);
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Fail(ErrorCode::kPermissionDenied, "open " + lock_path, std::strerror(errno),
                "Check that --agent-dir exists and is writable.");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    const auto pid = ReadPid(fs, agent_dir);
    return Fail(ErrorCode::kAlreadyExists, agent_dir,
                "another agentboot already runs this agent" +
                    (pid ? " (pid " + std::to_string(*pid) + ")" : std::string()),
                "Use `agentboot drain` to stop it, or give this one its own --agent-dir.");
  }
  if (auto written =
          fs.WriteFileAtomic(PidPath(agent_dir), std::to_string(::getpid()) + "\n", 0644);
      !written) {
    ::close(fd);
    return Fail(written.error());
  }
  return RunLock(fs, PidPath(agent_dir), fd);
}

RunLock::RunLock(RunLock&& other) noexcept
    : fs_(other.fs_), pid_path_(std::move(other.pid_path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  (void)fs_->Remove(pid_path_);
  ::close(fd_);
}

std::optional<int> RunningAgentboot(FileSystem& fs, const std::string& agent_dir) {
  const std::string lock_path = LockPath(agent_dir);
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<int> pid;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    pid = ReadPid(fs, agent_dir);
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return pid;
}

}  // namespace agentboot::cli

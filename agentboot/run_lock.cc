#include "run_lock.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "agentboot/agent.h"

#include "lock_holder.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

std::string LockPath(const std::string& dir) { return dir + "/.agentboot.lock"; }
std::string PidPath(const std::string& dir) { return dir + "/.agentboot.pid"; }

// The pid file, read only when it is a regular file of root or agentboot's user.
std::optional<int> ReadPid(const std::string& dir) {
  auto text = ReadTrustedFile(PidPath(dir), 64);
  if (!text) return std::nullopt;
  const auto pid = ParseInt64(Trim(*text));
  if (!pid || *pid <= 0 || *pid > INT32_MAX) return std::nullopt;
  return static_cast<int>(*pid);
}

Error UntrustedLock(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, path, what,
                   "Remove it (agentboot creates it again); if a job put it there, treat the "
                   "agent directory as compromised.");
}

// Opens the lock without following a symlink or blocking, and checks what was opened.
Result<int> OpenLock(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP) return Fail(UntrustedLock(path, "is a symlink; not followed"));
    if (error == ENOENT) return Fail(ErrorCode::kNotFound, "open " + path, std::strerror(error));
    return Fail(ErrorCode::kPermissionDenied, "open " + path, std::strerror(error),
                "Check that --agent-dir exists and is writable.");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(UntrustedLock(path, "is not a regular file"));
  }
  if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    ::close(fd);
    return Fail(UntrustedLock(
        path, "belongs to uid " + std::to_string(st.st_uid) + " or is writable by others"));
  }
  return fd;
}

}  // namespace

Result<RunLock> RunLock::Acquire(FileSystem& fs, const std::string& agent_dir,
                                 const std::function<Status()>& first) {
  const std::string lock_path = LockPath(agent_dir);
  auto opened = OpenLock(lock_path, O_RDWR | O_CREAT);
  if (!opened) return Fail(std::move(opened.error()));
  const int fd = *opened;
  (void)::fchmod(fd, 0600);  // others cannot open it, so cannot hold it to keep agentboot out
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    const auto pid = ReadPid(agent_dir);
    return Fail(ErrorCode::kAlreadyExists, agent_dir,
                "another agentboot already runs this agent" +
                    (pid ? " (pid " + std::to_string(*pid) + ")" : std::string()),
                "Use `agentboot drain` to stop it, or give this one its own --agent-dir.");
  }
  if (first) {
    if (auto done = first(); !done) {
      ::close(fd);
      return Fail(done.error());
    }
  }
  (void)agent::SweepStaleTempFiles(agent::AgentFiles(fs, agent_dir));  // best effort
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

std::optional<int> RunningAgentboot(FileSystem&, const std::string& agent_dir) {
  const std::string lock_path = LockPath(agent_dir);
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<int> pid;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    pid = ReadPid(agent_dir);
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return pid;
}

Result<std::optional<int>> AgentbootToSignal(FileSystem&, const std::string& agent_dir) {
  const std::string lock_path = LockPath(agent_dir);
  auto opened = OpenLock(lock_path, O_RDONLY);
  if (!opened && opened.error().code == ErrorCode::kNotFound) return std::optional<int>();
  if (!opened) return Fail(std::move(opened.error()));
  const int fd = *opened;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {  // nobody holds it: no agentboot runs here
    ::close(fd);
    return std::optional<int>();
  }
  const std::vector<int> holders = LockHolders(fd);
  ::close(fd);
  const auto pid = ReadPid(agent_dir);
  const bool holds = pid && std::find(holders.begin(), holders.end(), *pid) != holders.end();
  if (!holds) {
    const std::string holder = holders.empty() ? "unknown" : std::to_string(holders.front());
    return Fail(ErrorCode::kInvalidArgument, PidPath(agent_dir),
                "does not name the process that holds " + lock_path + " (pid " + holder +
                    "); agentboot signals no one on its word",
                "Stop the agentboot that runs this directory yourself (systemctl stop, or kill "
                "-TERM the lock holder after checking it), then remove the pid file.");
  }
  if (auto same = IsOwnExecutable(*pid); !same) return Fail(std::move(same.error()));
  return pid;
}

}  // namespace agentboot::cli

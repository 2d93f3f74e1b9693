#include "run_lock.h"

#include <algorithm>
#include <cstdint>

#include "agentboot/agent.h"

#include "lock_holder.h"
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

// The seam's refusal of the lock file, in the words `run`, `drain` and `rotate` use: an
// untrusted lock names the file and what is wrong with it; any other failure to open it is local.
Error LockFileError(const std::string& path, Error error) {
  if (error.code == ErrorCode::kInvalidArgument) return UntrustedLock(path, error.detail);
  if (error.code == ErrorCode::kNotFound) {
    error.advice.clear();
    return error;
  }
  return MakeError(ErrorCode::kPermissionDenied, "open " + path, error.detail,
                   "Check that --agent-dir exists and is writable.");
}

}  // namespace

Result<RunLock> RunLock::Acquire(FileSystem& fs, const std::string& agent_dir,
                                 const std::function<Status()>& first) {
  const std::string lock_path = LockPath(agent_dir);
  LockRequest request;  // exclusive, never waits, created 0600: others cannot open it to hold it
  request.private_to_self = true;
  auto lock = fs.Lock(lock_path, request);
  if (!lock && lock.error().code == ErrorCode::kAlreadyExists) {
    const auto pid = ReadPid(agent_dir);
    return Fail(ErrorCode::kAlreadyExists, agent_dir,
                "another agentboot already runs this agent" +
                    (pid ? " (pid " + std::to_string(*pid) + ")" : std::string()),
                "Use `agentboot drain` to stop it, or give this one its own --agent-dir.");
  }
  if (!lock) return Fail(LockFileError(lock_path, std::move(lock.error())));
  if (first) {
    if (auto done = first(); !done) return Fail(done.error());
  }
  (void)agent::SweepStaleTempFiles(agent::AgentFiles(fs, agent_dir));  // best effort
  if (auto written =
          fs.WriteFileAtomic(PidPath(agent_dir), std::to_string(::getpid()) + "\n", 0644);
      !written) {
    return Fail(written.error());
  }
  return RunLock(fs, PidPath(agent_dir), std::move(*lock));
}

RunLock::RunLock(RunLock&& other) noexcept
    : fs_(other.fs_), pid_path_(std::move(other.pid_path_)), lock_(std::move(other.lock_)) {}

RunLock::~RunLock() {
  if (!lock_) return;
  (void)fs_->Remove(pid_path_);
  lock_.reset();
}

std::optional<int> RunningAgentboot(FileSystem& fs, const std::string& agent_dir) {
  auto probe = fs.ProbeLock(LockPath(agent_dir), false);
  if (!probe || !probe->held) return std::nullopt;
  return ReadPid(agent_dir);
}

Result<std::optional<int>> AgentbootToSignal(FileSystem& fs, const std::string& agent_dir) {
  const std::string lock_path = LockPath(agent_dir);
  auto probe = fs.ProbeLock(lock_path, true);
  if (!probe && probe.error().code == ErrorCode::kNotFound) return std::optional<int>();
  if (!probe) return Fail(LockFileError(lock_path, std::move(probe.error())));
  if (!probe->held) return std::optional<int>();  // nobody holds it: no agentboot runs here
  const std::vector<int> holders = LockHolders(fs, probe->file);
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

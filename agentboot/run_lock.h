// One agentboot per agent root. `run` holds flock(2) on <agent-dir>/.agentboot.lock for its whole
// life and publishes its pid in <agent-dir>/.agentboot.pid (written atomically), so `drain` and
// `rotate` can find it, and a second `run` on the same root fails instead of fighting the first.
#pragma once

#include <optional>
#include <string>

#include "agentboot/base.h"

namespace agentboot::cli {

class RunLock {
 public:
  // kAlreadyExists (naming the other pid) when another agentboot holds the lock.
  [[nodiscard]] static Result<RunLock> Acquire(FileSystem& fs, const std::string& agent_dir);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // removes the pid file, then releases the lock

 private:
  RunLock(FileSystem& fs, std::string pid_path, int fd) : fs_(&fs), pid_path_(pid_path), fd_(fd) {}
  FileSystem* fs_;
  std::string pid_path_;
  int fd_ = -1;
};

// The pid of the agentboot that runs `agent_dir`, or nullopt when none does.
std::optional<int> RunningAgentboot(FileSystem& fs, const std::string& agent_dir);

}  // namespace agentboot::cli

// One agentboot per agent root. `run` holds flock(2) on <agent-dir>/.agentboot.lock for its whole
// life and publishes its pid in <agent-dir>/.agentboot.pid (written atomically), so `drain` and
// `rotate` can find it, and a second `run` on the same root fails instead of fighting the first.
// Both files are opened without following symlinks and must be regular files of agentboot's own
// user that nobody else can write (security-review M3); a pid is signalled only when it is the
// agentboot that holds the lock (M2).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agentboot/base.h"

namespace agentboot::cli {

class RunLock {
 public:
  // kAlreadyExists (naming the other pid) when another agentboot holds the lock;
  // kInvalidArgument when the lock file is a symlink, not a regular file, someone else's or
  // writable by others. With the lock held, nothing else writes in the agent root: leftover temp
  // files of agentboot's own files (a crash mid-write) are removed.
  // `first` runs right after the lock is taken, before anything else is written or removed in
  // the root (run --run-as: take the root back); its failure releases the lock and is
  // returned.
  [[nodiscard]] static Result<RunLock> Acquire(FileSystem& fs, const std::string& agent_dir,
                                               const std::function<Status()>& first = {});
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // removes the pid file, then releases the lock

 private:
  RunLock(FileSystem& fs, std::string pid_path, std::unique_ptr<FileLock> lock)
      : fs_(&fs), pid_path_(std::move(pid_path)), lock_(std::move(lock)) {}
  FileSystem* fs_;
  std::string pid_path_;
  std::unique_ptr<FileLock> lock_;  // FileSystem::Lock on <agent-dir>/.agentboot.lock
};

// The pid the pid file names while some process holds the lock of `agent_dir`, or nullopt when
// none does. Not verified: for "is one running?", never for whom to signal.
std::optional<int> RunningAgentboot(FileSystem& fs, const std::string& agent_dir);

// The pid of the agentboot that runs `agent_dir`, verified before anyone signals it: the pid
// file's pid must be the process that holds the lock (/proc/locks) and run agentboot's own
// executable. nullopt when none runs; kInvalidArgument (with advice) when the files cannot be
// trusted or do not name that process.
[[nodiscard]] Result<std::optional<int>> AgentbootToSignal(FileSystem& fs,
                                                           const std::string& agent_dir);

}  // namespace agentboot::cli

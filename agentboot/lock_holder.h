// Who really holds a lock, and is it agentboot? (security-review M2: a pid file alone decides
// nothing.)
#pragma once

#include <vector>

#include "agentboot/base.h"

namespace agentboot::cli {

// The pids that hold a flock(2) or fcntl lock on the file open at `fd`, from /proc/locks
// (matched by device and inode; by inode alone when no line has the device, as on overlayfs).
std::vector<int> LockHolders(int fd);
// The same for the lock file FileSystem::ProbeLock identified, reading /proc/locks through `fs`.
std::vector<int> LockHolders(FileSystem& fs, const FileIdentity& file);

// Parses /proc/locks text: the holders of the lock on `inode` of device major:minor. Waiting
// requests ("->") are skipped. Exposed for tests.
std::vector<int> ParseLockHolders(const std::string& proc_locks, unsigned major, unsigned minor,
                                  unsigned long inode);

// Success when process `pid` runs the same executable as this process (the same file, or, after
// an upgrade replaced it, the same path). kInvalidArgument with advice otherwise.
[[nodiscard]] Status IsOwnExecutable(int pid);

}  // namespace agentboot::cli

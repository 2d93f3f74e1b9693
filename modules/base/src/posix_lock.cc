// Lock and ProbeLock of PosixFileSystem (base.h): flock(2) on a lock file opened without
// following a symlink or blocking.
#include <cerrno>
#include <memory>
#include <string>

#include "posix_ops.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace agentboot::posix {
namespace {

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // closing the last descriptor releases the flock
};

Error Untrusted(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "lock " + path, what,
                   "Remove it; agentboot creates it again.");
}

// Opens the lock file and checks what was opened (a regular file; when `private_to_self`,
// agentboot's own and not writable by group or others).
Result<UniqueFd> OpenLockFile(const std::string& path, int flags, uint32_t mode,
                              bool private_to_self, struct stat& st) {
  UniqueFd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                     static_cast<mode_t>(mode)));
  if (!fd.valid()) return Fail(NoFollowError("open " + path, errno));
  if (::fstat(fd.get(), &st) != 0) return Fail(PosixError("open " + path, errno));
  if (!S_ISREG(st.st_mode)) return Fail(Untrusted(path, "is not a regular file"));
  if (private_to_self && (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
    return Fail(Untrusted(
        path, "belongs to uid " + std::to_string(st.st_uid) + " or is writable by others"));
  }
  return fd;
}

Error Held(const std::string& path) {
  return MakeError(ErrorCode::kAlreadyExists, "lock " + path, "held by another process",
                   "Wait for the other process to finish, or stop it.");
}

}  // namespace

Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const LockRequest& request) {
  struct stat st {};
  const int flags = request.create ? O_RDWR | O_CREAT : O_RDONLY;
  auto fd = OpenLockFile(path, flags, request.mode, request.private_to_self, st);
  if (!fd) return Fail(std::move(fd.error()));
  // Others cannot open a private one, so cannot hold it to keep agentboot out.
  if (request.create) (void)::fchmod(fd->get(), static_cast<mode_t>(request.mode));
  const int operation = request.exclusive ? LOCK_EX : LOCK_SH;
  if (::flock(fd->get(), operation | LOCK_NB) == 0) {
    return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(std::move(*fd)));
  }
  if (errno != EWOULDBLOCK) return Fail(PosixError("lock " + path, errno));
  if (!request.wait) return Fail(Held(path));
  while (::flock(fd->get(), operation) != 0) {
    if (errno != EINTR) return Fail(PosixError("lock " + path, errno));
  }
  return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(std::move(*fd)));
}

Result<LockProbe> ProbeLock(const std::string& path, bool private_to_self) {
  struct stat st {};
  auto fd = OpenLockFile(path, O_RDONLY, 0, private_to_self, st);
  if (!fd) return Fail(std::move(fd.error()));
  LockProbe probe;
  probe.file = FileIdentity{::major(st.st_dev), ::minor(st.st_dev), st.st_ino};
  if (::flock(fd->get(), LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd->get(), LOCK_UN);
    return probe;
  }
  if (errno != EWOULDBLOCK) return Fail(PosixError("lock " + path, errno));
  probe.held = true;
  return probe;
}

}  // namespace agentboot::posix

// errno becomes an Error here and nowhere else (base.h: PosixError), and the one descriptor
// owner closes what it holds.
#include <array>
#include <cerrno>
#include <cstring>

#include "agentboot/base.h"

#include <unistd.h>

namespace agentboot {
namespace {

// What to do about a failed file operation, by its errno.
std::string AdviceFor(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return "Give this user access to the path, or choose another one (run agentboot as root "
             "for system directories).";
    case ENOENT:
      return "Check the path, or create the directory that is missing.";
    case ENOTDIR:
      return "A part of the path is a file, not a directory: fix the path.";
    case ENOSPC:
    case EDQUOT:
      return "Free space on that file system (df -h), or choose a directory on another one.";
    case EROFS:
      return "The file system is read-only: choose a writable directory.";
    case ENAMETOOLONG:
      return "Use a shorter path (at most 255 bytes a name and 4095 in all).";
    default:
      return "Check the path, its permissions and the file system.";
  }
}

ErrorCode CodeFor(int err) {
  switch (err) {
    case ENOENT:
      return ErrorCode::kNotFound;
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorCode::kPermissionDenied;
    case EEXIST:
    case ENOTEMPTY:
      return ErrorCode::kAlreadyExists;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

std::string ErrnoText(int error_number) {
  std::array<char, 256> buffer{};
  // GNU strerror_r may return a static string instead of filling the buffer.
  const char* text = strerror_r(error_number, buffer.data(), buffer.size());
  return text != nullptr ? text : buffer.data();
}

Error PosixError(const std::string& context, int error_number) {
  return MakeError(CodeFor(error_number), context, ErrnoText(error_number),
                   AdviceFor(error_number));
}

void UniqueFd::Reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) ::close(fd_);
  fd_ = fd;
}

}  // namespace agentboot

#include "package_permissions.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::agent::detail {
namespace {

constexpr mode_t kUnsafeBits = S_ISUID | S_ISGID | S_ISVTX | S_IWGRP | S_IWOTH;

Status MakeEntrySafe(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return Fail(ErrorCode::kInternal, "stat " + path, ErrnoText(errno));
  }
  const bool kept_type = S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode);
  if (!kept_type) {
    return Fail(ErrorCode::kInvalidArgument, "unpack " + path,
                "the package holds a device, FIFO or socket",
                "Use an Azure Pipelines agent package (vsts-agent-<platform>-<version>.tar.gz).");
  }
  if (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) {
    if (::lchown(path.c_str(), ::geteuid(), ::getegid()) != 0) {
      return Fail(ErrorCode::kInternal, "chown " + path, ErrnoText(errno));
    }
  }
  // Symlinks have no mode of their own; the cache directory is agentboot's alone, so the path
  // names the entry just checked.
  if (!S_ISLNK(st.st_mode) && (st.st_mode & kUnsafeBits) != 0) {
    if (::chmod(path.c_str(), st.st_mode & 07777 & ~kUnsafeBits) != 0) {
      return Fail(ErrorCode::kInternal, "chmod " + path, ErrnoText(errno));
    }
  }
  return {};
}

}  // namespace

Status MakePackageTreeSafe(const std::string& dir) {
  std::error_code error;
  // The iterator does not follow directory symlinks (no follow_directory_symlink option).
  std::filesystem::recursive_directory_iterator it(dir, error);
  if (error) return Fail(ErrorCode::kInternal, "list " + dir, error.message());
  for (const std::filesystem::recursive_directory_iterator end; it != end; it.increment(error)) {
    if (error) return Fail(ErrorCode::kInternal, "list " + dir, error.message());
    if (auto safe = MakeEntrySafe(it->path().string()); !safe) return safe;
  }
  if (error) return Fail(ErrorCode::kInternal, "list " + dir, error.message());
  return MakeEntrySafe(dir);
}

}  // namespace agentboot::agent::detail

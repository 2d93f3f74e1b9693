#include "package_disk.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agentboot/http.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::agent::detail {
namespace {

std::string ErrnoText(int error) {
  std::array<char, 256> buffer{};
  // GNU strerror_r may return a static string instead of filling the buffer.
  const char* text = strerror_r(error, buffer.data(), buffer.size());
  return text != nullptr ? text : buffer.data();
}

tl::unexpected<Error> PosixFail(const std::string& what, const std::string& path, int error) {
  ErrorCode code = ErrorCode::kInternal;
  if (error == ENOENT) code = ErrorCode::kNotFound;
  if (error == EACCES || error == EPERM || error == EROFS) code = ErrorCode::kPermissionDenied;
  if (error == EEXIST || error == ENOTEMPTY) code = ErrorCode::kAlreadyExists;
  return Fail(code, what + " " + path, ErrnoText(error));
}

}  // namespace

EntryKind KindOf(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return EntryKind::kMissing;
  if (S_ISLNK(info.st_mode)) return EntryKind::kSymlink;
  if (S_ISDIR(info.st_mode)) return EntryKind::kDirectory;
  return EntryKind::kOther;
}

bool OwnedBySelfAndPrivate(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0 || S_ISLNK(info.st_mode)) return false;
  return info.st_uid == ::geteuid() && (info.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ignored;
  const auto absolute = std::filesystem::absolute(path, ignored);
  return (absolute.empty() ? std::filesystem::path(path) : absolute).lexically_normal().string();
}

Result<std::string> MakeTempDir(const std::string& prefix) {
  std::string pattern = prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return PosixFail("mkdtemp", pattern, errno);
  return pattern;
}

Status RenameDirectory(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return PosixFail("rename to", to, errno);
  return {};
}

namespace {

// The names in the directory open at `dir_fd` (its own descriptor is not consumed).
Result<std::vector<std::string>> EntryNames(int dir_fd, const std::string& path) {
  const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return PosixFail("open", path, errno);
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    const int error = errno;
    ::close(copy);
    return PosixFail("open", path, error);
  }
  ::rewinddir(dir);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

Status RemoveBelow(int dir_fd, const std::string& path);

// Removes `name` in the directory open at `dir_fd`. A directory is opened relative to its
// parent with O_NOFOLLOW: if someone swaps it for a symlink meanwhile, the link is unlinked,
// never followed (a --run-as job racing root's removal cannot aim it outside the tree).
Status RemoveEntry(int dir_fd, const std::string& path, const std::string& name) {
  const std::string where = path + "/" + name;
  if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return PosixFail("remove", where, errno);
  const int child = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (child < 0) {
    if (errno == ENOENT) return {};
    if (errno != ENOTDIR && errno != ELOOP) return PosixFail("open", where, errno);
    if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
    return PosixFail("remove", where, errno);
  }
  Status emptied = RemoveBelow(child, where);
  ::close(child);
  if (!emptied) return emptied;
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return {};
  return PosixFail("remove", where, errno);
}

Status RemoveBelow(int dir_fd, const std::string& path) {
  auto names = EntryNames(dir_fd, path);
  if (!names) return Fail(std::move(names.error()));
  for (const std::string& name : *names) {
    if (auto removed = RemoveEntry(dir_fd, path, name); !removed) return removed;
  }
  return {};
}

}  // namespace

Status RemoveTree(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return PosixFail("remove", path, errno);
  const int dir_fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) {
    if (errno == ENOENT) return {};
    if (errno != ENOTDIR && errno != ELOOP) return PosixFail("open", path, errno);
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
    return PosixFail("remove", path, errno);
  }
  Status emptied = RemoveBelow(dir_fd, path);
  ::close(dir_fd);
  if (!emptied) return emptied;
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
  return PosixFail("remove", path, errno);
}

Status ReplaceSymlink(const std::string& link, const std::string& target) {
  // pid + counter: unique across processes and threads, so concurrent linkers never collide.
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      link + ".link-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  if (::symlink(target.c_str(), temp.c_str()) != 0) return PosixFail("symlink", temp, errno);
  if (::rename(temp.c_str(), link.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return PosixFail("rename to", link, error);
  }
  return {};
}

Result<std::string> HashFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixFail("open", path, errno);
  http::Sha256Hasher hasher;
  std::array<char, 1U << 16U> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return PosixFail("read", path, error);
    }
    if (n == 0) break;
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return hasher.FinishHex();
}

Result<FileLock> FileLock::Acquire(const std::string& path, Logger& log) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixFail("open", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    log.Log(LogLevel::kInfo, "agent", "waiting for another agentboot to finish with the cache",
            {{"lock", path}});
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return PosixFail("flock", path, error);
    }
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace agentboot::agent::detail

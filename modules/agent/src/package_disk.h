// The directory-level file operations the package cache needs and the FileSystem seam does not
// offer: symlinks, directory renames, recursive removal, temp directories, flock and streaming
// hashes (private to agentboot::agent). They act on the real disk; errors carry the path and
// errno text. Thread-safe.
#pragma once

#include <string>

#include "agentboot/base.h"

namespace agentboot::agent::detail {

enum class EntryKind { kMissing, kSymlink, kDirectory, kOther };

// lstat(2): a symlink is reported as such, whatever it points to.
EntryKind KindOf(const std::string& path);

// lstat(2): a regular file or directory (not a symlink) owned by the effective user, with no
// group or other write permission.
bool OwnedBySelfAndPrivate(const std::string& path);

// The absolute, lexically normal form of `path` (relative to the working directory).
std::string AbsolutePath(const std::string& path);

// mkdtemp(prefix + "XXXXXX"): a new directory only this caller knows.
[[nodiscard]] Result<std::string> MakeTempDir(const std::string& prefix);

// rename(2) of a directory. kAlreadyExists when `to` is a non-empty directory.
[[nodiscard]] Status RenameDirectory(const std::string& from, const std::string& to);

// Removes `path` and everything below it; a missing path succeeds. Symlinks are not followed,
// even one that replaces a directory while the tree is being removed: every step goes through
// the parent's descriptor with O_NOFOLLOW (std::filesystem::remove_all walks by path names).
[[nodiscard]] Status RemoveTree(const std::string& path);

// Points `link` at `target` atomically: a symlink under a unique temporary name, renamed over
// `link`. REQUIRES: `link` is absent or a symlink (rename would replace a file, so callers check).
[[nodiscard]] Status ReplaceSymlink(const std::string& link, const std::string& target);

// Recreates the tree `from` at `to` (which must not exist): directories with their modes,
// regular files as hard links (a copy with the same mode when linking is refused, e.g. across
// file systems), symlinks as symlinks with the same target. Nothing outside `from` is followed.
[[nodiscard]] Status LinkTree(const std::string& from, const std::string& to);

// Copies the regular file `from` to `to` atomically (a temporary file in to's directory with
// from's permission bits, renamed over `to`): a symlink at `to` is replaced, never written
// through.
[[nodiscard]] Status CopyFileReplacing(const std::string& from, const std::string& to);

// The lower-case hex SHA-256 of a file, read in chunks. kNotFound when it is absent.
[[nodiscard]] Result<std::string> HashFile(const std::string& path);

// An exclusive flock(2) on a lock file, released when the object dies. The descriptor is
// close-on-exec, so children (tar, the listener) never inherit the lock.
class FileLock {
 public:
  // Blocks until the lock is held; logs once through `log` when it has to wait.
  [[nodiscard]] static Result<FileLock> Acquire(const std::string& path, Logger& log);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace agentboot::agent::detail

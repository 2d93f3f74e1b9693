// agentboot::base — The FileSystem seam, its value types, UniqueFd and PosixError. Included through
// agentboot/base.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base/error.h"

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// FileSystem: what agentboot does with files. Errors carry the path and errno text.

struct FileInfo {
  uint64_t size = 0;
  uint32_t mode = 0;  // permission bits
  bool is_directory = false;
};

// Who a file is given to (WriteFileAtomicOwned, ChownNoFollow).
struct FileOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
  friend bool operator==(const FileOwner&, const FileOwner&) = default;
};

// What lstat(2) says about a path: a symlink is reported as such, whatever it points to.
enum class EntryKind { kRegular, kDirectory, kSymlink, kOther };

struct EntryInfo {
  EntryKind kind = EntryKind::kOther;
  uint32_t mode = 0;  // permission bits (07777)
  FileOwner owner;
  uint64_t size = 0;
};

// Which file a lock lives on, as /proc/locks names it (device major:minor and inode).
struct FileIdentity {
  uint32_t device_major = 0;
  uint32_t device_minor = 0;
  uint64_t inode = 0;
};

// How FileSystem::Lock opens and locks a lock file (flock(2) semantics: the lock belongs to the
// open file, children never inherit it, and it is released when the FileLock dies).
struct LockRequest {
  bool exclusive = true;  // false: shared
  bool wait = false;      // block until granted; false: kAlreadyExists at once while it is held
  bool create = true;     // create a missing lock file with `mode`; false: kNotFound
  uint32_t mode = 0600;
  // Refuse (kInvalidArgument) a lock file of another user or writable by group or others.
  bool private_to_self = false;
};

// A held lock. Released when destroyed; must not outlive the FileSystem that granted it.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  virtual ~FileLock() = default;
};

// Whether some process holds a lock file, and which file it is.
struct LockProbe {
  bool held = false;
  FileIdentity file;
};

// Owns one open file descriptor and closes it when it dies: the one descriptor owner of agentboot.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int Release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) noexcept;  // closes the descriptor held so far, if any

 private:
  int fd_ = -1;
};

// errno becomes an Error here and nowhere else: the code by errno (ENOENT kNotFound; EACCES,
// EPERM and EROFS kPermissionDenied; EEXIST and ENOTEMPTY kAlreadyExists; else kInternal), the
// errno text as detail and one sentence of advice. `context` says what was done ("open /path").
Error PosixError(const std::string& context, int error_number);
// strerror_r's text for `error_number` (thread-safe).
std::string ErrnoText(int error_number);

class FileSystem {
 public:
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  virtual ~FileSystem() = default;
  // Whole file. kNotFound when absent.
  [[nodiscard]] virtual Result<std::string> ReadFile(const std::string& path) = 0;
  [[nodiscard]] virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // Writes a temp file beside `path`, fsyncs it, sets `mode`, renames it over `path` and fsyncs
  // the directory: readers see the old or the new content, never a mix.
  [[nodiscard]] virtual Status WriteFileAtomic(const std::string& path, std::string_view content,
                                               uint32_t mode) = 0;
  // WriteFileAtomic whose temp file gets `owner` (fchown) and `mode` (fchmod) on its descriptor
  // before the rename: `path` never names the file with another owner or mode, and nothing is
  // changed by path afterwards.
  [[nodiscard]] virtual Status WriteFileAtomicOwned(const std::string& path,
                                                    std::string_view content, uint32_t mode,
                                                    FileOwner owner) = 0;
  // Gives the regular file `name` in directory `dir` to `owner` (and sets `mode` when given)
  // through descriptors: `dir` opened O_DIRECTORY|O_NOFOLLOW, `name` opened relative to it with
  // O_NOFOLLOW, fstat, then fchown/fchmod. A symlink or anything but a regular file is refused
  // (kInvalidArgument) and left as it is, and so is its target; kNotFound when absent.
  [[nodiscard]] virtual Status ChownNoFollow(const std::string& dir, const std::string& name,
                                             FileOwner owner, std::optional<uint32_t> mode) = 0;
  // Reads a regular file of at most `max_size` bytes without following a final symlink and
  // without blocking on a FIFO or a device (O_NOFOLLOW|O_NONBLOCK, fstat on the descriptor).
  // kInvalidArgument for a symlink, a non-regular file or a larger file; kNotFound when absent.
  [[nodiscard]] virtual Result<std::string> ReadRegularFile(const std::string& path,
                                                            uint64_t max_size) = 0;
  // Removing a missing file succeeds.
  [[nodiscard]] virtual Status Remove(const std::string& path) = 0;
  [[nodiscard]] virtual Status CreateDirectories(const std::string& path, uint32_t mode) = 0;
  // Names (not paths) of the entries of a directory.
  [[nodiscard]] virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) = 0;
  // lstat(2): never follows a final symlink. kNotFound when absent.
  [[nodiscard]] virtual Result<EntryInfo> Lstat(const std::string& path) = 0;
  // rename(2): atomic on one file system; replaces a file, a symlink or an empty directory at
  // `to` (kAlreadyExists when `to` is a non-empty directory).
  [[nodiscard]] virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Points `link` at `target` atomically: a symlink under a unique temporary name, renamed over
  // `link`. REQUIRES: `link` is absent or a symlink (rename would replace a file; callers check).
  [[nodiscard]] virtual Status ReplaceSymlink(const std::string& link,
                                              const std::string& target) = 0;
  // Removes `path` and everything below it; a missing path succeeds. Symlinks are not followed,
  // even one that replaces a directory while the tree is being removed: every step goes through
  // the parent's descriptor with O_NOFOLLOW, so a link is unlinked, never followed.
  [[nodiscard]] virtual Status RemoveTree(const std::string& path) = 0;
  // mkdtemp(prefix + "XXXXXX"): a new directory (mode 0700) only this caller knows; its path.
  [[nodiscard]] virtual Result<std::string> MakeTempDirectory(const std::string& prefix) = 0;
  // Gives the directory `path` to `owner` (and sets `mode` when given) through a descriptor
  // opened O_DIRECTORY|O_NOFOLLOW: a symlink or anything but a directory at `path` is refused
  // (kInvalidArgument) and left as it is, and so is its target; kNotFound when absent. The
  // directories above `path` are resolved as usual.
  [[nodiscard]] virtual Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                                                      std::optional<uint32_t> mode) = 0;
  // Opens `path` without following a symlink or blocking (kInvalidArgument for a symlink or a
  // non-regular file), checks it as `request` says and takes flock(2) on it. kAlreadyExists when
  // another open file holds it and `request.wait` is false.
  [[nodiscard]] virtual Result<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                                               const LockRequest& request) = 0;
  // Whether another open file holds a lock on `path` (a shared, non-blocking try, released at
  // once), and which file it is. Opened like Lock (no create); kNotFound when absent.
  [[nodiscard]] virtual Result<LockProbe> ProbeLock(const std::string& path,
                                                    bool private_to_self) = 0;
  bool Exists(const std::string& path) { return Stat(path).has_value(); }
};

}  // namespace agentboot

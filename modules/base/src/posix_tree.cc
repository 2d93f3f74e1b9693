// Lstat, Rename, ReplaceSymlink, MakeTempDirectory, ChownDirectoryNoFollow and the
// descriptor-based RemoveTree of PosixFileSystem (base.h).
#include <atomic>
#include <cerrno>
#include <string>
#include <vector>

#include "posix_ops.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::posix {
namespace {

constexpr int kOpenDirNoFollow = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

EntryKind KindOfMode(mode_t mode) {
  if (S_ISLNK(mode)) return EntryKind::kSymlink;
  if (S_ISDIR(mode)) return EntryKind::kDirectory;
  if (S_ISREG(mode)) return EntryKind::kRegular;
  return EntryKind::kOther;
}

// The names in the directory open at `dir_fd` (its own descriptor is not consumed).
Result<std::vector<std::string>> EntryNames(int dir_fd, const std::string& path) {
  UniqueFd copy(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (!copy.valid()) return Fail(PosixError("open " + path, errno));
  DIR* dir = ::fdopendir(copy.get());
  if (dir == nullptr) return Fail(PosixError("open " + path, errno));
  copy.Release();  // the DIR owns it now
  ::rewinddir(dir);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
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
  if (errno != EISDIR && errno != EPERM) return Fail(PosixError("remove " + where, errno));
  UniqueFd child(::openat(dir_fd, name.c_str(), kOpenDirNoFollow));
  if (!child.valid()) {
    if (errno == ENOENT) return {};
    if (errno != ENOTDIR && errno != ELOOP) return Fail(PosixError("open " + where, errno));
    if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
    return Fail(PosixError("remove " + where, errno));
  }
  if (Status emptied = RemoveBelow(child.get(), where); !emptied) return emptied;
  child.Reset();
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return {};
  return Fail(PosixError("remove " + where, errno));
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

Error NoFollowError(const std::string& context, int err) {
  if (err != ELOOP) return PosixError(context, err);
  return MakeError(ErrorCode::kInvalidArgument, context, "is a symlink; not followed",
                   "Remove the link; agentboot writes this file itself.");
}

Result<EntryInfo> Lstat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Fail(PosixError("stat " + path, errno));
  EntryInfo info;
  info.kind = KindOfMode(st.st_mode);
  info.mode = st.st_mode & 07777U;
  info.owner = FileOwner{st.st_uid, st.st_gid};
  info.size = static_cast<uint64_t>(st.st_size);
  return info;
}

Status Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Fail(PosixError("rename to " + to, errno));
  return {};
}

Status ReplaceSymlink(const std::string& link, const std::string& target) {
  // pid + counter: unique across processes and threads, so concurrent linkers never collide.
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      link + ".link-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  if (::symlink(target.c_str(), temp.c_str()) != 0) {
    return Fail(PosixError("symlink " + temp, errno));
  }
  if (::rename(temp.c_str(), link.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return Fail(PosixError("rename to " + link, error));
  }
  return {};
}

Status RemoveTree(const std::string& path) {
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return Fail(PosixError("remove " + path, errno));
  UniqueFd dir(::open(path.c_str(), kOpenDirNoFollow));
  if (!dir.valid()) {
    if (errno == ENOENT) return {};
    if (errno != ENOTDIR && errno != ELOOP) return Fail(PosixError("open " + path, errno));
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return {};
    return Fail(PosixError("remove " + path, errno));
  }
  if (Status emptied = RemoveBelow(dir.get(), path); !emptied) return emptied;
  dir.Reset();
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
  return Fail(PosixError("remove " + path, errno));
}

Result<std::string> MakeTempDirectory(const std::string& prefix) {
  std::string pattern = prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return Fail(PosixError("mkdtemp " + pattern, errno));
  return pattern;
}

Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                              std::optional<uint32_t> mode) {
  const std::string context = "chown " + path;
  UniqueFd fd(::open(path.c_str(), kOpenDirNoFollow));
  if (!fd.valid() && errno == ENOTDIR) {
    return Fail(ErrorCode::kInvalidArgument, context, "not a directory; left as it is",
                "Remove it; agentboot creates this directory itself.");
  }
  if (!fd.valid()) return Fail(NoFollowError(context, errno));
  if (::fchown(fd.get(), static_cast<uid_t>(owner.uid), static_cast<gid_t>(owner.gid)) != 0) {
    return Fail(PosixError(context, errno));
  }
  if (mode && ::fchmod(fd.get(), static_cast<mode_t>(*mode)) != 0) {
    return Fail(PosixError(context, errno));
  }
  return {};
}

}  // namespace agentboot::posix

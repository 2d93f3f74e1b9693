#include <cerrno>
#include <cstring>

#include "agentboot/base.h"

#include "posix_ops.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot {
namespace {

using posix::NoFollowError;

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixFs final : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) override {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return Fail(PosixError("read " + path, errno));
    std::string content;
    char buffer[8192];
    while (true) {
      const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(PosixError("read " + path, errno));
      if (n == 0) break;
      content.append(buffer, static_cast<size_t>(n));
    }
    return content;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Fail(PosixError("stat " + path, errno));
    FileInfo info;
    info.size = static_cast<uint64_t>(st.st_size);
    info.mode = st.st_mode & 07777U;
    info.is_directory = S_ISDIR(st.st_mode);
    return info;
  }

  Status WriteFileAtomic(const std::string& path, std::string_view content,
                         uint32_t mode) override {
    return WriteAtomic(path, content, mode, std::nullopt);
  }

  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override {
    return WriteAtomic(path, content, mode, owner);
  }

  Status ChownNoFollow(const std::string& dir, const std::string& name, FileOwner owner,
                       std::optional<uint32_t> mode) override {
    const std::string context = "chown " + dir + "/" + name;
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      return Fail(ErrorCode::kInvalidArgument, context, "not a file name");
    }
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir_fd.get() < 0) return Fail(NoFollowError(context, errno));
    UniqueFd fd(::openat(dir_fd.get(), name.c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) return Fail(NoFollowError(context, errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Fail(PosixError(context, errno));
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
      return Fail(ErrorCode::kInvalidArgument, context,
                  "not a regular file with one link; left as it is",
                  "Remove it; agentboot writes this file itself.");
    }
    if (::fchown(fd.get(), static_cast<uid_t>(owner.uid), static_cast<gid_t>(owner.gid)) != 0) {
      return Fail(PosixError(context, errno));
    }
    if (mode && ::fchmod(fd.get(), static_cast<mode_t>(*mode)) != 0) {
      return Fail(PosixError(context, errno));
    }
    return {};
  }

  Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_size) override {
    const std::string context = "read " + path;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) return Fail(NoFollowError(context, errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Fail(PosixError(context, errno));
    if (!S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::kInvalidArgument, context, "not a regular file");
    }
    if (static_cast<uint64_t>(st.st_size) > max_size) {
      return Fail(ErrorCode::kInvalidArgument, context,
                  "larger than " + std::to_string(max_size) + " bytes");
    }
    std::string content;
    char buffer[8192];
    while (content.size() <= max_size) {
      const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(PosixError(context, errno));
      if (n == 0) return content;
      content.append(buffer, static_cast<size_t>(n));
    }
    return Fail(ErrorCode::kInvalidArgument, context,
                "larger than " + std::to_string(max_size) + " bytes");
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Fail(PosixError("remove " + path, errno));
    }
    return {};
  }

  Status CreateDirectories(const std::string& path, uint32_t mode) override {
    if (path.empty()) return {};
    std::string partial;
    for (const auto& part : Split(path, '/')) {
      partial += part;
      if (!partial.empty() && ::mkdir(partial.c_str(), static_cast<mode_t>(mode)) != 0 &&
          errno != EEXIST) {
        return Fail(PosixError("mkdir " + partial, errno));
      }
      partial += '/';
    }
    return {};
  }

  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return Fail(PosixError("list " + path, errno));
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): own DIR*
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
    return names;
  }

  Result<EntryInfo> Lstat(const std::string& path) override { return posix::Lstat(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return posix::Rename(from, to);
  }
  Status ReplaceSymlink(const std::string& link, const std::string& target) override {
    return posix::ReplaceSymlink(link, target);
  }
  Status RemoveTree(const std::string& path) override { return posix::RemoveTree(path); }
  Result<std::string> MakeTempDirectory(const std::string& prefix) override {
    return posix::MakeTempDirectory(prefix);
  }
  Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                                std::optional<uint32_t> mode) override {
    return posix::ChownDirectoryNoFollow(path, owner, mode);
  }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                         const LockRequest& request) override {
    return posix::Lock(path, request);
  }
  Result<LockProbe> ProbeLock(const std::string& path, bool private_to_self) override {
    return posix::ProbeLock(path, private_to_self);
  }

 private:
  static Status WriteAtomic(const std::string& path, std::string_view content, uint32_t mode,
                            std::optional<FileOwner> owner) {
    const std::string context = "write " + path;
    std::string temp = path + ".tmp.XXXXXX";
    UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) return Fail(PosixError(context, errno));
    auto cleanup_fail = [&](int err) {
      ::unlink(temp.c_str());
      return Fail(PosixError(context, err));
    };
    // Owner first: fchown clears set-id bits, fchmod then sets the mode asked for.
    if (owner &&
        ::fchown(fd.get(), static_cast<uid_t>(owner->uid), static_cast<gid_t>(owner->gid)) != 0) {
      return cleanup_fail(errno);
    }
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return cleanup_fail(errno);
    size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return cleanup_fail(errno);
      written += static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return cleanup_fail(errno);
    if (::close(fd.Release()) != 0) return cleanup_fail(errno);
    if (::rename(temp.c_str(), path.c_str()) != 0) return cleanup_fail(errno);
    UniqueFd dir(::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) ::fsync(dir.get());  // best effort: the rename itself has happened
    return {};
  }
};

}  // namespace

FileSystem& PosixFileSystem() {
  static PosixFs fs;
  return fs;
}

}  // namespace agentboot

#include "run_ownership.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr mode_t kSharedFileMode = 0640;
constexpr mode_t kListenerDirMode = 0750;

tl::unexpected<Error> Refused(const std::string& path, int error) {
  std::array<char, 256> buffer{};
  const char* text = error == ELOOP ? "a symlink where a file should be: it and its target are "
                                      "left as they are"
                                    : strerror_r(error, buffer.data(), buffer.size());
  return Fail(ErrorCode::kPermissionDenied, "give " + path + " to the --run-as user",
              text != nullptr ? text : buffer.data(),
              "Remove whatever is in the way (it must be a plain file or directory, not a link) "
              "and start again.");
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status SetOwner(int fd, const std::string& path, uid_t uid, gid_t gid, mode_t mode) {
  if (::fchown(fd, uid, gid) != 0 || ::fchmod(fd, mode) != 0) return Refused(path, errno);
  return {};
}

// The root itself: agentboot's, not writable by group or others.
Status TakeRootBack(int root_fd, const std::string& root) {
  struct stat info {};
  if (::fstat(root_fd, &info) != 0) return Refused(root, errno);
  if (info.st_uid == ::geteuid() && (info.st_mode & (S_IWGRP | S_IWOTH)) == 0) return {};
  return SetOwner(root_fd, root, ::geteuid(), ::getegid(), 0755);
}

// A configuration file the listener reads: a regular file (a link is refused), agentboot's,
// readable by the listener's group.
Status ShareFile(int root_fd, const std::string& root, const char* name, gid_t gid) {
  const std::string path = root + "/" + name;
  Fd fd(::openat(root_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return errno == ENOENT ? Status{} : Status(Refused(path, errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return Refused(path, errno);
  if (!S_ISREG(info.st_mode)) return Refused(path, EINVAL);
  return SetOwner(fd.get(), path, ::geteuid(), gid, kSharedFileMode);
}

// A directory the listener writes: created if missing; a symlink there is removed first.
Status GiveDirectory(int root_fd, const std::string& root, const std::string& name,
                     const ListenerAccount& account) {
  const std::string path = root + "/" + name;
  if (::mkdirat(root_fd, name.c_str(), kListenerDirMode) != 0 && errno != EEXIST) {
    return Refused(path, errno);
  }
  int fd = ::openat(root_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
    if (::unlinkat(root_fd, name.c_str(), 0) != 0) return Refused(path, errno);
    if (::mkdirat(root_fd, name.c_str(), kListenerDirMode) != 0) return Refused(path, errno);
    fd = ::openat(root_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return Refused(path, errno);
  Fd dir(fd);
  return SetOwner(dir.get(), path, account.uid, account.gid, kListenerDirMode);
}

}  // namespace

Status TakeAgentRootBack(const std::string& root) {
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  Status taken =
      root_fd.get() < 0 ? Status(Refused(root, errno)) : TakeRootBack(root_fd.get(), root);
  if (taken) return taken;
  Error error = std::move(taken.error());
  error.context = "chown " + root;  // a local failure (exit 15), not a server's refusal
  error.advice =
      "Make the agent directory a plain directory agentboot's user can own, or give "
      "the run its own --agent-dir.";
  return Fail(std::move(error));
}

Status ShareAgentRoot(const std::string& root, const std::string& work_folder,
                      const ListenerAccount& account) {
  Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root_fd.get() < 0) return Refused(root, errno);
  if (auto taken = TakeRootBack(root_fd.get(), root); !taken) return taken;
  for (const char* name : {".agent", ".credentials", ".credentials_rsaparams"}) {
    if (auto shared = ShareFile(root_fd.get(), root, name, account.gid); !shared) return shared;
  }
  if (auto diag = GiveDirectory(root_fd.get(), root, "_diag", account); !diag) return diag;
  // Only a plain name below the root is the listener's to own; anything else was chosen by an
  // administrator (an absolute path, or one reaching elsewhere) and is left as it is.
  const bool plain = !work_folder.empty() && work_folder.find('/') == std::string::npos &&
                     work_folder != "." && work_folder != "..";
  if (plain) return GiveDirectory(root_fd.get(), root, work_folder, account);
  return {};
}

}  // namespace agentboot::cli

// CheckTrustedDirectory and CheckTrustedFile: may root trust what it finds at a path?
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "agentboot/base.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot {
namespace {

constexpr std::string_view kDirAdvice =
    "Give it to root and remove group/other write access (chown root DIR; chmod go-w DIR), or "
    "use a directory under a root-owned path such as /opt or /var/lib.";

std::string Absolute(const std::string& path) {
  if (StartsWith(path, "/")) return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
  return std::string(cwd) + (std::string_view(cwd) == "/" ? "" : "/") + path;
}

// "/", "/a", "/a/b" for "/a/b" (empty and "." parts skipped).
std::vector<std::string> Prefixes(const std::string& absolute) {
  std::vector<std::string> prefixes{"/"};
  std::string partial;
  for (const auto& part : Split(absolute, '/')) {
    if (part.empty() || part == ".") continue;
    partial += "/" + part;
    prefixes.push_back(partial);
  }
  return prefixes;
}

bool TrustedOwner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

Status Refuse(const std::string& path, const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, path, what, std::string(kDirAdvice));
}

// One directory of the chain. `is_target`: the directory itself, not a parent.
Status CheckDirectory(const std::string& path, const struct stat& st, bool is_target,
                      const DirectoryTrust& trust) {
  if (!S_ISDIR(st.st_mode)) return Refuse(path, "is not a directory");
  const bool owner_ok =
      TrustedOwner(st.st_uid) ||
      (is_target && (trust.any_owner || (trust.also_owner && st.st_uid == *trust.also_owner)));
  if (!owner_ok) {
    return Refuse(path, "is owned by uid " + std::to_string(st.st_uid) +
                            ", not by root or agentboot's user: that user could replace what "
                            "agentboot runs and trusts there");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return {};
  // /tmp: others may write, but the sticky bit keeps them from renaming or removing our entry
  // (the owner, checked above, is root or agentboot's user).
  if (!is_target && (st.st_mode & S_ISVTX) != 0) return {};
  return Refuse(path,
                "is writable by group or others: another user could replace what "
                "agentboot runs and trusts there");
}

// A symlink on the way is followed by root every time: someone else's could be re-pointed later.
Status CheckLink(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return {};
  if (TrustedOwner(st.st_uid)) return {};
  return Refuse(path, "is a symlink owned by uid " + std::to_string(st.st_uid) +
                          ", who could point it elsewhere at any time");
}

}  // namespace

Status CheckTrustedDirectory(const std::string& path, const DirectoryTrust& trust) {
  const std::string absolute = Absolute(path.empty() ? "." : path);
  std::vector<std::string> chain = Prefixes(absolute);
  struct stat st {};
  while (chain.size() > 1 && ::stat(chain.back().c_str(), &st) != 0) chain.pop_back();
  const bool target_exists = chain.back() == Prefixes(absolute).back();
  struct stat target {};
  if (::stat(chain.back().c_str(), &target) != 0) {
    return Fail(ErrorCode::kInternal, "stat " + chain.back(), ErrnoText(errno));
  }
  // A file where a parent should be: nothing can be created below it, and the mkdir that follows
  // says so as the local failure it is.
  if (!target_exists && !S_ISDIR(target.st_mode)) return {};
  // The chain as written, and the chain with every symlink resolved.
  char resolved[PATH_MAX];
  if (::realpath(chain.back().c_str(), resolved) == nullptr) {
    return Fail(ErrorCode::kInternal, "realpath " + chain.back(), ErrnoText(errno));
  }
  for (const auto& real : Prefixes(resolved)) chain.push_back(real);
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const auto& dir : chain) {
    if (auto link = CheckLink(dir); !link) return link;
    if (::stat(dir.c_str(), &st) != 0) {
      return Fail(ErrorCode::kInternal, "stat " + dir, ErrnoText(errno));
    }
    if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
    const bool is_target =
        target_exists && st.st_dev == target.st_dev && st.st_ino == target.st_ino;
    if (auto checked = CheckDirectory(dir, st, is_target, trust); !checked) return checked;
  }
  return {};
}

Result<std::string> ReadTrustedFile(const std::string& path, uint64_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ENOENT) return Fail(ErrorCode::kNotFound, path, "No such file or directory");
    if (error == ELOOP) {
      return Fail(ErrorCode::kInvalidArgument, path, "is a symlink; agentboot does not follow it",
                  "Remove the link; agentboot writes this file itself.");
    }
    return Fail(ErrorCode::kInvalidArgument, path, ErrnoText(error),
                "Check the file's owner and mode.");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) > max_size) {
    return Fail(ErrorCode::kInvalidArgument, path,
                "is not a regular file of at most " + std::to_string(max_size) + " bytes",
                "Remove it; agentboot writes this file itself.");
  }
  if (!TrustedOwner(st.st_uid) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Fail(ErrorCode::kInvalidArgument, path,
                "is owned by uid " + std::to_string(st.st_uid) +
                    " or writable by others, so agentboot cannot trust what it says",
                "Check its content, then give it to root and make it writable by root only "
                "(chown root FILE; chmod go-w FILE).");
  }
  std::string content;
  char buffer[4096];
  ssize_t n = 0;
  while (content.size() <= max_size && (n = ::read(fd.get(), buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  const int error = errno;
  fd.Reset();
  if (n < 0) return Fail(ErrorCode::kInternal, "read " + path, ErrnoText(error));
  if (content.size() > max_size) {
    return Fail(ErrorCode::kInvalidArgument, path, "grew while it was read");
  }
  return content;
}

}  // namespace agentboot

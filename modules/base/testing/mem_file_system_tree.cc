// MemFileSystem's directory, rename, symlink, owner and lock operations (base_testing.h). They
// follow the POSIX ones (modules/base/src/posix_tree.cc, posix_lock.cc): nothing here follows a
// symlink, and locks conflict as flock(2)'s do between open files.
#include <array>
#include <cstdio>

#include "agentboot/base_testing.h"

namespace agentboot::testing {
namespace {

tl::unexpected<Error> Missing(const std::string& context) {
  return Fail(ErrorCode::kNotFound, context, "No such file or directory");
}

tl::unexpected<Error> Symlink(const std::string& context) {
  return Fail(ErrorCode::kInvalidArgument, context, "is a symlink; not followed");
}

bool Below(const std::string& name, const std::string& dir) { return StartsWith(name, dir + "/"); }

}  // namespace

class MemFileSystem::MemLock final : public FileLock {
 public:
  MemLock(MemFileSystem& fs, std::string path, bool exclusive)
      : fs_(fs), path_(std::move(path)), exclusive_(exclusive) {}
  ~MemLock() override { fs_.Unlock(path_, exclusive_); }

 private:
  MemFileSystem& fs_;
  std::string path_;
  bool exclusive_;
};

std::map<std::string, MemFileSystem::File>::iterator MemFileSystem::Entry(const std::string& path) {
  const auto it = files_.find(path);
  if (it != files_.end()) return it;
  for (const auto& [name, file] : files_) {
    if (Below(name, path)) {
      return files_.emplace(path, File{"", 0755, Kind::kDirectory, std::nullopt, next_id_++}).first;
    }
  }
  return files_.end();
}

Result<EntryInfo> MemFileSystem::Lstat(const std::string& path) {
  std::lock_guard lock(mu_);
  const auto it = Entry(path);
  if (it == files_.end()) return Missing("stat " + path);
  const File& file = it->second;
  EntryInfo info;
  info.kind = file.kind == Kind::kRegular     ? EntryKind::kRegular
              : file.kind == Kind::kDirectory ? EntryKind::kDirectory
              : file.kind == Kind::kSymlink   ? EntryKind::kSymlink
                                              : EntryKind::kOther;
  info.mode = file.mode;
  info.owner = file.owner.value_or(self_);
  info.size = file.kind == Kind::kDirectory ? 0 : file.content.size();
  return info;
}

Status MemFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  const std::string context = "rename to " + to;
  const auto source = Entry(from);
  if (source == files_.end()) return Missing(context);
  const auto target = files_.find(to);
  if (target != files_.end() && target->second.kind == Kind::kDirectory) {
    for (const auto& [name, file] : files_) {
      if (Below(name, to)) return Fail(ErrorCode::kAlreadyExists, context, "Directory not empty");
    }
    if (source->second.kind != Kind::kDirectory) {
      return Fail(ErrorCode::kInternal, context, "Is a directory");
    }
  }
  std::map<std::string, File> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from || Below(it->first, from)) {
      moved.emplace(to + it->first.substr(from.size()), std::move(it->second));
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [name, file] : moved) files_[name] = std::move(file);
  return {};
}

Status MemFileSystem::ReplaceSymlink(const std::string& link, const std::string& target) {
  std::lock_guard lock(mu_);
  const auto it = Entry(link);
  if (it != files_.end() && it->second.kind == Kind::kDirectory) {
    return Fail(ErrorCode::kInternal, "rename to " + link, "Is a directory");
  }
  files_[link] = File{target, 0777, Kind::kSymlink, std::nullopt, next_id_++};
  return {};
}

Status MemFileSystem::RemoveTree(const std::string& path) {
  std::lock_guard lock(mu_);
  if (fail_prefix_ && StartsWith(path, *fail_prefix_)) {
    return Fail(ErrorCode::kInternal, "remove " + path, "injected write failure");
  }
  const auto it = files_.find(path);
  const bool symlink_or_file = it != files_.end() && it->second.kind != Kind::kDirectory;
  for (auto entry = files_.begin(); entry != files_.end();) {
    // A symlink is unlinked itself; what it points to is never reached.
    const bool gone = entry->first == path || (!symlink_or_file && Below(entry->first, path));
    entry = gone ? files_.erase(entry) : std::next(entry);
  }
  return {};
}

Result<std::string> MemFileSystem::MakeTempDirectory(const std::string& prefix) {
  std::lock_guard lock(mu_);
  if (fail_prefix_ && StartsWith(prefix, *fail_prefix_)) {
    return Fail(ErrorCode::kInternal, "mkdtemp " + prefix, "injected write failure");
  }
  std::array<char, 8> suffix{};
  std::snprintf(suffix.data(), suffix.size(), "%06llu",
                static_cast<unsigned long long>(next_id_ % 1000000));
  const std::string path = prefix + suffix.data();
  files_[path] = File{"", 0700, Kind::kDirectory, std::nullopt, next_id_++};
  return path;
}

Status MemFileSystem::ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                                             std::optional<uint32_t> mode) {
  std::lock_guard lock(mu_);
  const std::string context = "chown " + path;
  const auto it = Entry(path);
  if (it == files_.end()) return Missing(context);
  if (it->second.kind == Kind::kSymlink) return Symlink(context);
  if (it->second.kind != Kind::kDirectory) {
    return Fail(ErrorCode::kInvalidArgument, context, "not a directory; left as it is");
  }
  it->second.owner = owner;
  if (mode) it->second.mode = *mode;
  return {};
}

Result<std::map<std::string, MemFileSystem::File>::iterator> MemFileSystem::OpenLockFile(
    const std::string& path, bool create, uint32_t mode, bool private_to_self) {
  auto it = Entry(path);
  if (it == files_.end() && !create) return Missing("open " + path);
  if (it == files_.end()) {
    it = files_.emplace(path, File{"", mode, Kind::kRegular, std::nullopt, next_id_++}).first;
  }
  if (it->second.kind == Kind::kSymlink) return Symlink("open " + path);
  if (it->second.kind != Kind::kRegular) {
    return Fail(ErrorCode::kInvalidArgument, "lock " + path, "is not a regular file");
  }
  const FileOwner owner = it->second.owner.value_or(self_);
  if (private_to_self && (owner.uid != self_.uid || (it->second.mode & 022U) != 0)) {
    return Fail(ErrorCode::kInvalidArgument, "lock " + path,
                "belongs to uid " + std::to_string(owner.uid) + " or is writable by others");
  }
  return it;
}

Result<std::unique_ptr<FileLock>> MemFileSystem::Lock(const std::string& path,
                                                      const LockRequest& request) {
  std::lock_guard lock(mu_);
  auto file = OpenLockFile(path, request.create, request.mode, request.private_to_self);
  if (!file) return Fail(std::move(file.error()));
  if (request.create) (*file)->second.mode = request.mode;
  LockHolders& holders = locks_[path];
  const bool conflict = holders.exclusive > 0 || (request.exclusive && holders.shared > 0);
  if (conflict && !request.wait) {
    return Fail(ErrorCode::kAlreadyExists, "lock " + path, "held by another process");
  }
  if (conflict) {
    return Fail(ErrorCode::kDeadlineExceeded, "lock " + path,
                "held by another lock of this MemFileSystem; the fake never waits");
  }
  ++(request.exclusive ? holders.exclusive : holders.shared);
  return std::unique_ptr<FileLock>(std::make_unique<MemLock>(*this, path, request.exclusive));
}

Result<LockProbe> MemFileSystem::ProbeLock(const std::string& path, bool private_to_self) {
  std::lock_guard lock(mu_);
  auto file = OpenLockFile(path, false, 0, private_to_self);
  if (!file) return Fail(std::move(file.error()));
  LockProbe probe;
  probe.file.inode = (*file)->second.inode;
  const auto held = locks_.find(path);
  probe.held = held != locks_.end() && held->second.exclusive > 0;
  return probe;
}

void MemFileSystem::Unlock(const std::string& path, bool exclusive) {
  std::lock_guard lock(mu_);
  LockHolders& holders = locks_[path];
  --(exclusive ? holders.exclusive : holders.shared);
}

void MemFileSystem::PutDirectory(const std::string& path, uint32_t mode) {
  std::lock_guard lock(mu_);
  files_[path] = File{"", mode, Kind::kDirectory, std::nullopt, next_id_++};
}

void MemFileSystem::SetSelf(FileOwner self) {
  std::lock_guard lock(mu_);
  self_ = self;
}

}  // namespace agentboot::testing

// agentboot::base — ForwardingFileSystem: a FileSystem that forwards every call. Included through
// agentboot/base.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base/files.h"

namespace agentboot {

// Forwards every call to `target` (which must outlive it): a fake that changes one operation
// (fault injection, recording) derives from it and overrides just that one.
class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(FileSystem& target) : target_(target) {}
  FileSystem& target() { return target_; }
  Result<std::string> ReadFile(const std::string& path) override { return target_.ReadFile(path); }
  Result<FileInfo> Stat(const std::string& path) override { return target_.Stat(path); }
  Status WriteFileAtomic(const std::string& path, std::string_view content,
                         uint32_t mode) override {
    return target_.WriteFileAtomic(path, content, mode);
  }
  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override {
    return target_.WriteFileAtomicOwned(path, content, mode, owner);
  }
  Status ChownNoFollow(const std::string& dir, const std::string& name, FileOwner owner,
                       std::optional<uint32_t> mode) override {
    return target_.ChownNoFollow(dir, name, owner, mode);
  }
  Result<std::string> ReadRegularFile(const std::string& path, uint64_t max_size) override {
    return target_.ReadRegularFile(path, max_size);
  }
  Status Remove(const std::string& path) override { return target_.Remove(path); }
  Status CreateDirectories(const std::string& path, uint32_t mode) override {
    return target_.CreateDirectories(path, mode);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    return target_.ListDirectory(path);
  }
  Result<EntryInfo> Lstat(const std::string& path) override { return target_.Lstat(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return target_.Rename(from, to);
  }
  Status ReplaceSymlink(const std::string& link, const std::string& target) override {
    return target_.ReplaceSymlink(link, target);
  }
  Status RemoveTree(const std::string& path) override { return target_.RemoveTree(path); }
  Result<std::string> MakeTempDirectory(const std::string& prefix) override {
    return target_.MakeTempDirectory(prefix);
  }
  Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                                std::optional<uint32_t> mode) override {
    return target_.ChownDirectoryNoFollow(path, owner, mode);
  }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                         const LockRequest& request) override {
    return target_.Lock(path, request);
  }
  Result<LockProbe> ProbeLock(const std::string& path, bool private_to_self) override {
    return target_.ProbeLock(path, private_to_self);
  }

 private:
  FileSystem& target_;
};

}  // namespace agentboot

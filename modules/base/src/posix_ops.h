// The POSIX side of the FileSystem operations that walk directories, change owners or lock
// (private to base; PosixFileSystem() forwards to them).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agentboot/base.h"

namespace agentboot::posix {

// PosixError, except that ELOOP from O_NOFOLLOW means "a symlink": refused, not followed
// (kInvalidArgument).
Error NoFollowError(const std::string& context, int err);

Result<EntryInfo> Lstat(const std::string& path);
Status Rename(const std::string& from, const std::string& to);
Status ReplaceSymlink(const std::string& link, const std::string& target);
Status RemoveTree(const std::string& path);
Result<std::string> MakeTempDirectory(const std::string& prefix);
Status ChownDirectoryNoFollow(const std::string& path, FileOwner owner,
                              std::optional<uint32_t> mode);
Result<std::unique_ptr<FileLock>> Lock(const std::string& path, const LockRequest& request);
Result<LockProbe> ProbeLock(const std::string& path, bool private_to_self);

}  // namespace agentboot::posix

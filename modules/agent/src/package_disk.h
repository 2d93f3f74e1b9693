// The file helpers the package code shares (private to agentboot::agent). Symlinks, renames,
// recursive removal, temp directories and locks are FileSystem operations (base.h); what is here
// builds on them, or copies and hashes trees on the real disk. Errors carry the path and errno
// text. Thread-safe.
#pragma once

#include <string>

#include "agentboot/base.h"

namespace agentboot::agent::detail {

enum class EntryKind { kMissing, kSymlink, kDirectory, kOther };

// FileSystem::Lstat: a symlink is reported as such, whatever it points to.
EntryKind KindOf(FileSystem& fs, const std::string& path);

// FileSystem::Lstat: a regular file or directory (not a symlink) owned by the effective user,
// with no group or other write permission.
bool OwnedBySelfAndPrivate(FileSystem& fs, const std::string& path);

// The absolute, lexically normal form of `path` (relative to the working directory).
std::string AbsolutePath(const std::string& path);

// PosixFileSystem().RemoveTree(path), for callers without an Env: removes `path` and everything
// below it through descriptors, never following a symlink (base.h, FileSystem::RemoveTree).
[[nodiscard]] Status RemoveTree(const std::string& path);

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

}  // namespace agentboot::agent::detail

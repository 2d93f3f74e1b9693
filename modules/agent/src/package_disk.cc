#include "package_disk.h"

#include <array>
#include <cerrno>
#include <filesystem>
#include <string>

#include "agentboot/http.h"

#include <fcntl.h>
#include <unistd.h>

namespace agentboot::agent::detail {

EntryKind KindOf(FileSystem& fs, const std::string& path) {
  auto info = fs.Lstat(path);
  if (!info) return EntryKind::kMissing;
  if (info->kind == agentboot::EntryKind::kSymlink) return EntryKind::kSymlink;
  if (info->kind == agentboot::EntryKind::kDirectory) return EntryKind::kDirectory;
  return EntryKind::kOther;
}

bool OwnedBySelfAndPrivate(FileSystem& fs, const std::string& path) {
  auto info = fs.Lstat(path);
  if (!info || info->kind == agentboot::EntryKind::kSymlink) return false;
  return info->owner.uid == ::geteuid() && (info->mode & 022U) == 0;
}

std::string AbsolutePath(const std::string& path) {
  std::error_code ignored;
  const auto absolute = std::filesystem::absolute(path, ignored);
  return (absolute.empty() ? std::filesystem::path(path) : absolute).lexically_normal().string();
}

Status RemoveTree(const std::string& path) { return PosixFileSystem().RemoveTree(path); }

Result<std::string> HashFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Fail(PosixError("open " + path, errno));
  http::Sha256Hasher hasher;
  std::array<char, 1U << 16U> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(PosixError("read " + path, errno));
    if (n == 0) break;
    hasher.Update(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  return hasher.FinishHex();
}

}  // namespace agentboot::agent::detail

// LinkTree and CopyFileReplacing (package_disk.h): how a cached package is laid into an agent
// root without the root pointing into the cache.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "package_disk.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::agent::detail {
namespace {

namespace fs = std::filesystem;

tl::unexpected<Error> FsFail(const std::string& what, const std::string& path,
                             const std::error_code& error) {
  const ErrorCode code =
      error == std::errc::permission_denied ? ErrorCode::kPermissionDenied : ErrorCode::kInternal;
  return Fail(code, what + " " + path, error.message());
}

Status CopyRegular(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::copy_file(from, to, fs::copy_options::none, error);
  if (error) return FsFail("copy to", to.string(), error);
  fs::permissions(to, fs::status(from).permissions(), error);
  if (error) return FsFail("chmod", to.string(), error);
  return {};
}

Status LinkEntry(const fs::directory_entry& entry, const fs::path& target) {
  std::error_code error;
  const fs::file_status status = entry.symlink_status(error);
  if (error) return FsFail("stat", entry.path().string(), error);
  if (fs::is_symlink(status)) {
    fs::copy_symlink(entry.path(), target, error);
    if (error) return FsFail("symlink", target.string(), error);
  } else if (fs::is_directory(status)) {
    fs::create_directory(target, entry.path(), error);  // the mode of the source directory
    if (error) return FsFail("mkdir", target.string(), error);
  } else if (fs::is_regular_file(status)) {
    if (::link(entry.path().c_str(), target.c_str()) == 0) return {};
    if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
      return FsFail("link", target.string(), std::error_code(errno, std::generic_category()));
    }
    return CopyRegular(entry.path(), target);
  }
  return {};  // sockets, fifos and devices have no place in a package
}

}  // namespace

Status LinkTree(const std::string& from, const std::string& to) {
  std::error_code error;
  fs::create_directory(to, from, error);
  if (error) return FsFail("mkdir", to, error);
  fs::recursive_directory_iterator it(from, fs::directory_options::none, error);
  if (error) return FsFail("list", from, error);
  for (const fs::recursive_directory_iterator end; it != end; it.increment(error)) {
    if (error) return FsFail("list", from, error);
    const fs::path target = fs::path(to) / fs::relative(it->path(), from, error);
    if (error) return FsFail("relative", it->path().string(), error);
    if (Status linked = LinkEntry(*it, target); !linked) return linked;
  }
  if (error) return FsFail("list", from, error);
  return {};
}

Status CopyFileReplacing(const std::string& from, const std::string& to) {
  std::string temp = to + ".tmp.XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return FsFail("create", temp, std::error_code(errno, std::generic_category()));
  ::close(fd);
  std::error_code error;
  fs::copy_file(from, temp, fs::copy_options::overwrite_existing, error);
  if (!error) fs::permissions(temp, fs::status(from).permissions(), error);
  if (!error) fs::rename(temp, to, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return FsFail("copy to", to, error);
  }
  return {};
}

}  // namespace agentboot::agent::detail

#include "lock_holder.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <sstream>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

struct LockLine {
  int pid = 0;
  unsigned major = 0;
  unsigned minor = 0;
  unsigned long inode = 0;
};

// "1: FLOCK  ADVISORY  WRITE 1234 fe:00:10952977 0 EOF"; false for a waiter ("1: -> FLOCK ...").
bool ParseLine(const std::string& line, LockLine& out) {
  std::istringstream in(line);
  std::string id, type, mode, access, pid, device;
  if (!(in >> id >> type) || type == "->") return false;
  if (!(in >> mode >> access >> pid >> device)) return false;
  const auto number = ParseInt64(pid);
  const auto parts = Split(device, ':');
  if (!number || parts.size() != 3) return false;
  try {
    out.pid = static_cast<int>(*number);
    out.major = static_cast<unsigned>(std::stoul(parts[0], nullptr, 16));
    out.minor = static_cast<unsigned>(std::stoul(parts[1], nullptr, 16));
    out.inode = std::stoul(parts[2]);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

std::string ReadLink(const std::string& path) {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer - 1);
  if (n < 0) return {};
  std::string text(buffer, static_cast<size_t>(n));
  constexpr std::string_view kDeleted = " (deleted)";
  if (EndsWith(text, kDeleted)) text.resize(text.size() - kDeleted.size());
  return text;
}

}  // namespace

std::vector<int> ParseLockHolders(const std::string& proc_locks, unsigned major, unsigned minor,
                                  unsigned long inode) {
  std::vector<int> exact;
  std::vector<int> by_inode;
  std::istringstream in(proc_locks);
  for (std::string line; std::getline(in, line);) {
    LockLine lock;
    if (!ParseLine(line, lock) || lock.inode != inode) continue;
    by_inode.push_back(lock.pid);
    if (lock.major == major && lock.minor == minor) exact.push_back(lock.pid);
  }
  return exact.empty() ? by_inode : exact;
}

std::vector<int> LockHolders(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  auto text = PosixFileSystem().ReadFile("/proc/locks");
  if (!text) return {};
  return ParseLockHolders(*text, ::major(st.st_dev), ::minor(st.st_dev), st.st_ino);
}

std::vector<int> LockHolders(FileSystem& fs, const FileIdentity& file) {
  auto text = fs.ReadFile("/proc/locks");
  if (!text) return {};
  return ParseLockHolders(*text, file.device_major, file.device_minor, file.inode);
}

Status IsOwnExecutable(int pid) {
  const std::string theirs = "/proc/" + std::to_string(pid) + "/exe";
  struct stat mine {};
  struct stat other {};
  if (::stat("/proc/self/exe", &mine) == 0 && ::stat(theirs.c_str(), &other) == 0 &&
      mine.st_dev == other.st_dev && mine.st_ino == other.st_ino) {
    return {};
  }
  const std::string path = ReadLink(theirs);
  const int read_error = errno;
  const std::string own = ReadLink("/proc/self/exe");
  if (!path.empty() && path == own) return {};
  // A non-root agentboot is not dumpable, so even its own user cannot read its exe link. Such a
  // caller can signal only its own processes anyway: the program name in cmdline must do.
  if (path.empty() && read_error == EACCES && ::geteuid() != 0) {
    auto cmdline = PosixFileSystem().ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    const std::string argv0 = cmdline ? cmdline->substr(0, cmdline->find('\0')) : std::string();
    const auto base = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
    if (!argv0.empty() && base(argv0) == base(own)) return {};
  }
  return Fail(ErrorCode::kInvalidArgument, "pid " + std::to_string(pid),
              path.empty() ? "cannot tell which program it runs (" + ErrnoText(read_error) + ")"
                           : "runs " + path + ", not agentboot",
              "Run this command as root (it checks the running agentboot through /proc), or stop "
              "that agentboot yourself.");
}

}  // namespace agentboot::cli

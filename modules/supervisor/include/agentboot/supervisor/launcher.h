// agentboot::supervisor, launching the listener: a self-closing descriptor, the launch
// spec, the exit status, the ChildLauncher seam and a process's state in /proc.
// Part of agentboot/supervisor.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentboot/base.h"

#include <signal.h>

namespace agentboot::supervisor {

// Launching the listener.

// A file descriptor that closes itself. Move-only: base's one descriptor owner.
using UniqueFd = ::agentboot::UniqueFd;

struct LaunchSpec {
  // argv[0] containing no '/' is looked up on PATH from `env` (in the parent, before fork).
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // the child's whole environment (see ScrubEnvironment)
  std::string working_directory;           // empty: inherit
  // Privilege drop, applied in the child before exec in the order setgroups, setgid, setuid.
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> supplementary_groups;  // used only when uid or gid is set
};

struct SpawnedChild {
  int pid = -1;        // also the process group and session id (the child calls setsid)
  UniqueFd stdout_fd;  // read ends, non-blocking and close-on-exec; owned by the caller
  UniqueFd stderr_fd;
};

struct ExitStatus {
  int code = -1;   // exit code, or -1 when killed by a signal
  int signal = 0;  // the terminating signal, or 0
  bool signaled() const noexcept { return signal != 0; }
  std::string ToString() const;  // "exit 2" or "signal 11 (SIGSEGV)"
};

// Spawns and controls long-lived children. Only signal a pid from the thread that reaps it
// (pid reuse). The real implementation is not thread-safe per child; use it from one loop.
class ChildLauncher {
 public:
  ChildLauncher() = default;
  ChildLauncher(const ChildLauncher&) = delete;
  ChildLauncher& operator=(const ChildLauncher&) = delete;
  virtual ~ChildLauncher() = default;
  // The child starts in its own session with an empty signal mask and default dispositions.
  // Fails synchronously when exec (or chdir/setuid/... in the child) fails: kNotFound for a
  // missing program, kPermissionDenied for EACCES/EPERM, kInvalidArgument for an empty argv.
  [[nodiscard]] virtual Result<SpawnedChild> Spawn(const LaunchSpec& spec) = 0;
  // kill(pid) or kill(-pid) for the whole process group. kNotFound when it is already gone.
  [[nodiscard]] virtual Status Signal(int pid, int signal, bool whole_group) = 0;
  // Non-blocking wait for `pid`: nullopt while it runs. kNotFound for an unknown pid.
  [[nodiscard]] virtual Result<std::optional<ExitStatus>> TryReap(int pid) = 0;
};

ChildLauncher& PosixChildLauncher();  // owned by the module, never deleted

// The state letter of /proc/<pid>/stat ('R', 'S', 'T' stopped, 't' traced, 'Z', ...); nullopt
// when the process is gone or the text is malformed.
std::optional<char> ParseProcStatState(std::string_view stat);
std::optional<char> ProcessState(int pid);
// True for 'T' (SIGSTOP) and 't' (stopped by a debugger): alive, but serving nothing.
bool IsStoppedState(std::optional<char> state);

}  // namespace agentboot::supervisor

// fork/exec for the long-lived listener (style guide §3, after skalibs cspawn): own session,
// clean signal state, privilege drop, and exec errors reported synchronously over a
// close-on-exec pipe. Everything the child needs is prepared before fork; between fork and exec
// the child calls only async-signal-safe functions.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "agentboot/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentboot::supervisor {
namespace {

// Where the child failed; sent with errno through the report pipe.
enum ChildStage : int { kDup = 1, kSetsid, kChdir, kSetgroups, kSetgid, kSetuid, kExec };

const char* StageName(int stage) {
  switch (stage) {
    case kDup:
      return "redirect output";
    case kSetsid:
      return "setsid";
    case kChdir:
      return "chdir";
    case kSetgroups:
      return "setgroups";
    case kSetgid:
      return "setgid";
    case kSetuid:
      return "setuid";
    default:
      return "exec";
  }
}

std::string ErrnoText(int error) {
  std::array<char, 256> buffer{};
  return strerror_r(error, buffer.data(), buffer.size());
}

struct ChildPlan {
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string program;
  std::vector<gid_t> groups;
};

// PATH lookup in the parent with the child's PATH: execvpe would use ours and may allocate.
std::string ResolveProgram(const std::string& name, const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  const auto path = env.find("PATH");
  for (const auto& dir : Split(path == env.end() ? "/usr/bin:/bin" : path->second, ':')) {
    std::string candidate = JoinPath(dir.empty() ? "." : dir, name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return name;  // exec fails with ENOENT and reports it
}

// Fallback for kernels without close_range (before 5.9): walk /proc/self/fd with getdents64
// (opendir would allocate, which is not allowed between fork and exec).
void CloseByListing(int keep_fd) {
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    for (int fd = 3; fd < 65536; ++fd) {
      if (fd != keep_fd) ::close(fd);
    }
    return;
  }
  alignas(8) std::array<char, 4096> buffer{};
  while (true) {
    const long got = ::syscall(SYS_getdents64, dir, buffer.data(), buffer.size());
    if (got <= 0) break;
    for (long offset = 0; offset < got;) {
      const char* record = buffer.data() + offset;
      unsigned short length = 0;
      ::memcpy(&length, record + 16, sizeof length);  // struct linux_dirent64: d_reclen
      int fd = 0;
      bool number = record[19] != '\0';
      for (const char* c = record + 19; *c != '\0'; ++c) {  // d_name
        if (*c < '0' || *c > '9') number = false;
        if (number) fd = fd * 10 + (*c - '0');
      }
      if (number && fd > 2 && fd != keep_fd && fd != dir) ::close(fd);
      offset += length;
    }
  }
  ::close(dir);
}

// Nothing agentboot holds (the health socket, HTTP connections, lock and state files) reaches
// the listener and its jobs, even a descriptor some library made without close-on-exec
// (security review M4). `keep_fd`, the exec report pipe, is close-on-exec anyway.
void CloseInheritedDescriptors(int keep_fd) {
  const bool low = keep_fd < 3;
  const unsigned first = 3;
  const unsigned keep = static_cast<unsigned>(keep_fd);
  const bool closed = low ? ::close_range(first, ~0U, 0) == 0
                          : (keep == first || ::close_range(first, keep - 1, 0) == 0) &&
                                ::close_range(keep + 1, ~0U, 0) == 0;
  if (!closed) CloseByListing(keep_fd);
}

[[noreturn]] void ChildFail(int report_fd, int stage) {
  const std::array<int, 2> message{stage, errno};
  ssize_t ignored = ::write(report_fd, message.data(), sizeof message);
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void RunChild(const LaunchSpec& spec, const ChildPlan& plan, int null_fd, int out_fd,
                           int err_fd, int report_fd) {
  // Blocked signals and ignored dispositions survive exec: the listener must start clean.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  // The forked child has one thread, and sigprocmask (unlike pthread_sigmask) is async-signal-safe.
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // NOLINT(concurrency-mt-unsafe)
  if (::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
    ChildFail(report_fd, kDup);
  }
  CloseInheritedDescriptors(report_fd);
  // Own session and process group: the group can be SIGKILLed as a whole, and a terminal's
  // Ctrl-C reaches agentboot only, which forwards SIGINT itself.
  if (::setsid() < 0) ChildFail(report_fd, kSetsid);
  if (!spec.working_directory.empty() && ::chdir(spec.working_directory.c_str()) != 0) {
    ChildFail(report_fd, kChdir);
  }
  if (spec.uid || spec.gid) {
    if (::setgroups(plan.groups.size(), plan.groups.data()) != 0) ChildFail(report_fd, kSetgroups);
    if (spec.gid && ::setgid(*spec.gid) != 0) ChildFail(report_fd, kSetgid);
    if (spec.uid && ::setuid(*spec.uid) != 0) ChildFail(report_fd, kSetuid);
  }
  ::execve(plan.program.c_str(), plan.argv.data(), plan.envp.data());
  ChildFail(report_fd, kExec);
}

class Pipe {
 public:
  Status Open(const std::string& context) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
      return Fail(ErrorCode::kInternal, context, "pipe: " + ErrnoText(errno));
    }
    read_end = UniqueFd(fds[0]);
    write_end = UniqueFd(fds[1]);
    return {};
  }
  UniqueFd read_end;
  UniqueFd write_end;
};

Error SpawnError(const std::string& context, int stage, int error) {
  const ErrorCode code = error == ENOENT                       ? ErrorCode::kNotFound
                         : (error == EACCES || error == EPERM) ? ErrorCode::kPermissionDenied
                                                               : ErrorCode::kInternal;
  return MakeError(code, context, std::string(StageName(stage)) + ": " + ErrnoText(error),
                   "check the listener path, its permissions and the run-as user");
}

class PosixLauncher final : public ChildLauncher {
 public:
  Result<SpawnedChild> Spawn(const LaunchSpec& spec) override {
    if (spec.argv.empty()) return Fail(ErrorCode::kInvalidArgument, "spawn", "empty argv");
    const std::string context = "spawn " + spec.argv[0];
    ChildPlan plan = Plan(spec);
    Pipe out;
    Pipe err;
    Pipe report;
    for (Pipe* pipe : {&out, &err, &report}) {
      if (auto opened = pipe->Open(context); !opened) return Fail(opened.error());
    }
    UniqueFd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_fd.valid()) return Fail(ErrorCode::kInternal, context, "open /dev/null");

    // Block every signal across fork so no handler of ours runs in the child before the reset.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    const pid_t pid = ::fork();
    if (pid == 0) {
      RunChild(spec, plan, null_fd.get(), out.write_end.get(), err.write_end.get(),
               report.write_end.get());
    }
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) return Fail(ErrorCode::kInternal, context, "fork: " + ErrnoText(fork_errno));

    report.write_end.Reset();
    out.write_end.Reset();
    err.write_end.Reset();
    std::array<int, 2> message{};
    ssize_t got = 0;
    do {
      got = ::read(report.read_end.get(), message.data(), sizeof message);
    } while (got < 0 && errno == EINTR);
    if (got > 0) {  // the child failed before or at exec; reap it so it leaves no zombie
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return Fail(SpawnError(context, message[0], message[1]));
    }
    for (const UniqueFd* fd : {&out.read_end, &err.read_end}) {
      ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
    }
    return SpawnedChild{pid, std::move(out.read_end), std::move(err.read_end)};
  }

  Status Signal(int pid, int signal, bool whole_group) override {
    if (pid <= 0) return Fail(ErrorCode::kInvalidArgument, "signal", "bad pid");
    if (::kill(whole_group ? -pid : pid, signal) != 0) {
      const int error = errno;
      return Fail(error == ESRCH ? ErrorCode::kNotFound : ErrorCode::kInternal,
                  "signal " + std::to_string(pid), ErrnoText(error));
    }
    return {};
  }

  Result<std::optional<ExitStatus>> TryReap(int pid) override {
    int status = 0;
    pid_t got = 0;
    do {
      got = ::waitpid(pid, &status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      return Fail(ErrorCode::kNotFound, "waitpid " + std::to_string(pid), ErrnoText(errno));
    }
    if (got == 0) return std::optional<ExitStatus>();
    if (WIFSIGNALED(status)) return std::optional<ExitStatus>(ExitStatus{-1, WTERMSIG(status)});
    return std::optional<ExitStatus>(ExitStatus{WEXITSTATUS(status), 0});
  }

 private:
  static ChildPlan Plan(const LaunchSpec& spec) {
    ChildPlan plan;
    plan.program = ResolveProgram(spec.argv[0], spec.env);
    for (const auto& arg : spec.argv)
      plan.argv.push_back(const_cast<char*>(arg.c_str()));  // NOLINT
    plan.argv.push_back(nullptr);
    for (const auto& [key, value] : spec.env) {
      std::string entry = key;
      entry.append("=").append(value);
      plan.env_strings.push_back(std::move(entry));
    }
    for (auto& entry : plan.env_strings) plan.envp.push_back(entry.data());
    plan.envp.push_back(nullptr);
    for (uint32_t group : spec.supplementary_groups) plan.groups.push_back(group);
    return plan;
  }
};

}  // namespace

ChildLauncher& PosixChildLauncher() {
  static PosixLauncher launcher;
  return launcher;
}

}  // namespace agentboot::supervisor

#include <array>
#include <cerrno>
#include <cstring>

#include "agentboot/base.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentboot {
namespace {

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_.data(), O_CLOEXEC) != 0) fds_ = {-1, -1};
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void CloseRead() { Close(0); }
  void CloseWrite() { Close(1); }

 private:
  void Close(size_t i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  std::array<int, 2> fds_{};
};

// Reads both pipes until they close or the deadline passes. Returns false on timeout.
bool Drain(Pipe& out, Pipe& err, ProcessOutput& output,
           std::chrono::steady_clock::time_point deadline) {
  std::array<pollfd, 2> fds{{{out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&output.stdout_text, &output.stderr_text};
  constexpr size_t kCap = 4U << 20U;  // a runaway child cannot exhaust memory
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? true : false;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {
        fds[i].fd = -1;
      } else if (sinks[i]->size() < kCap) {
        sinks[i]->append(buffer, static_cast<size_t>(got));
      }
    }
  }
  return true;
}

class PosixRunner final : public ProcessRunner {
 public:
  Result<ProcessOutput> Run(const ProcessSpec& spec) override {
    const std::string context = "run " + (spec.argv.empty() ? std::string("?") : spec.argv[0]);
    if (spec.argv.empty()) return Fail(ErrorCode::kInvalidArgument, context, "empty command");
    Pipe out;
    Pipe err;
    if (!out.ok() || !err.ok()) return Fail(ErrorCode::kInternal, context, "pipe failed");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write_end(), 1);
    posix_spawn_file_actions_adddup2(&actions, err.write_end(), 2);
    // Nothing else agentboot holds reaches the program, even without close-on-exec.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!spec.working_directory.empty()) {
      posix_spawn_file_actions_addchdir_np(&actions, spec.working_directory.c_str());
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);  // blocked signals survive exec; undo them
    posix_spawnattr_setpgroup(&attr, 0);       // own group, so a timeout kills the whole tree
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    std::vector<char*> argv;
    for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));  // NOLINT
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (const auto& [key, value] : spec.env) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    // argv[0] without a slash is looked up on agentboot's own PATH.
    const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      char buffer[256];
      return Fail(rc == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal, context,
                  strerror_r(rc, buffer, sizeof buffer));
    }
    out.CloseWrite();
    err.CloseWrite();

    ProcessOutput output;
    const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    if (!Drain(out, err, output, deadline)) {
      output.timed_out = true;
      ::kill(-pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return output;
  }
};

}  // namespace

ProcessRunner& PosixProcessRunner() {
  static PosixRunner runner;
  return runner;
}

}  // namespace agentboot

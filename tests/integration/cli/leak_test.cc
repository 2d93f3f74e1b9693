// Nothing leaked over a whole lifecycle (issue 13, "Hardening that comes with scale"): the host's
// access token must appear in none of agentboot's logs (text and JSON, with --verbose), none of
// the files it wrote, and neither the listener's environment nor its argv; and a running
// agentboot is not dumpable, so another process of its own user cannot read its memory or
// environment through /proc (the kernel then gives its /proc files to root).
//
// The recognisable value: every access token the simulator issues is a JWT signed with its one
// Entra key, so they all start with the same header segment (alg, kid, typ: base64url of a JSON
// object with sorted keys). That segment, taken from `agentboot token --raw`, finds any of them,
// refreshed ones included, whole or cut after the header.
#include <cerrno>
#include <filesystem>

#include "run_fixture.h"
#include <grp.h>
#include <sys/stat.h>

namespace agentboot::cli_test {
namespace {

class Leak : public RunCommand {
 protected:
  // The header segment of the simulator's access tokens, from a real `agentboot token`.
  std::string TokenCanary() {
    const RunResult token = Agentboot({"token", "--raw"}, ImdsEnv());
    EXPECT_EQ(token.exit_code, 0) << token.err;
    const std::string header = token.out.substr(0, token.out.find('.'));
    EXPECT_EQ(header.rfind("eyJ", 0), 0u) << token.out;  // base64url of '{"'
    EXPECT_GT(header.size(), 40u) << token.out;
    return header;
  }

  // Every regular file under `dir` holding `needle` (symlinks are not followed).
  std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) const {
    std::vector<std::string> hits;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file(error) || it->is_symlink(error)) continue;
      if (ReadFile(it->path().string()).find(needle) != std::string::npos) {
        hits.push_back(it->path().string());
      }
    }
    return hits;
  }

  // pid of `<root>/bin/Agent.Listener run`, or -1.
  static int ListenerPid(const std::string& root) {
    const std::string wanted = root + "/bin/Agent.Listener" + std::string(1, '\0') + "run";
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "cmdline");
      const std::string cmdline((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
      if (cmdline.rfind(wanted, 0) == 0) return std::stoi(pid);
    }
    return -1;
  }
};

// The user the dumpability test runs its processes as: nobody under root, else the test's own.
uid_t TestUser() { return ::geteuid() == 0 ? 65534 : ::geteuid(); }

// fork + (under root: drop to TestUser()) + execve; -1 on failure. Everything the child needs is
// built before the fork: only system calls after it.
pid_t SpawnAsTestUser(const std::vector<std::string>& argv_in,
                      const std::vector<std::string>& env_in, const std::string& log) {
  std::vector<std::string> argv_copy = argv_in;
  std::vector<std::string> env_copy = env_in;
  std::vector<char*> argv;
  for (auto& arg : argv_copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : env_copy) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const uid_t user = TestUser();
  const bool drop = ::geteuid() == 0;
  const pid_t child = ::fork();
  if (child == 0) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(user) != 0 || ::setuid(user) != 0)) {
      ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return child;
}

// As TestUser() (a child process): 0 when /proc/<pid>/environ opens, else the errno.
int OpenEnvironAsTestUser(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  const uid_t user = TestUser();
  const bool drop = ::geteuid() == 0;
  const pid_t child = ::fork();
  if (child == 0) {
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(user) != 0 || ::setuid(user) != 0)) {
      ::_exit(126);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ::_exit(fd >= 0 ? 0 : (errno & 0x7f));
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uid_t ProcOwner(pid_t pid) {
  struct stat info {};
  const std::string path = "/proc/" + std::to_string(pid) + "/environ";
  return ::stat(path.c_str(), &info) == 0 ? info.st_uid : static_cast<uid_t>(-1);
}

void Reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST_F(Leak, TheAccessTokenIsInNoLogFileListenerEnvironmentOrArgument) {
  const std::string canary = TokenCanary();
  ASSERT_FALSE(HasFailure());
  // The search itself finds a planted copy (so zero hits below mean something).
  std::ofstream(temp_dir_ + "/planted") << "x" << canary << "y";
  ASSERT_EQ(FilesHolding(temp_dir_, canary), std::vector<std::string>{temp_dir_ + "/planted"});
  std::filesystem::remove(temp_dir_ + "/planted");

  // register (text log), run (JSON log) with a job and a rotation (text), drain, unregister (JSON).
  const std::string root = MakeAgentRoot("leaky");
  const RunResult registered =
      Agentboot({"-v", "register", "--agent-dir", root, "--agent-name", "leaky"}, ImdsEnv());
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  Start(RunArgs("leaky",
                {"-v", "--log-format", "json", "--keep-registration", "--drain-poll", "0.3"}));
  ASSERT_TRUE(Eventually([&] { return Online("leaky"); })) << Log();
  QueueJob("succeeded", 3000);
  int listener = -1;
  ASSERT_TRUE(Eventually([&] { return (listener = ListenerPid(root)) > 0; })) << Log();
  ASSERT_TRUE(Eventually([&] {
    return Control("GET", "/devops/jobs")["jobs"][0].value("state", "") == "running";
  })) << Log();
  const std::string environ = ReadFile("/proc/" + std::to_string(listener) + "/environ");
  const std::string argv = ReadFile("/proc/" + std::to_string(listener) + "/cmdline");
  ASSERT_FALSE(environ.empty());
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(environ.find(canary), std::string::npos) << "the listener's environment";
  EXPECT_EQ(argv.find(canary), std::string::npos) << "the listener's argv";

  const RunResult rotated =
      Agentboot({"-v", "rotate", "--agent-dir", root, "--wait", "60"}, ImdsEnv());
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  const RunResult unregistered =
      Agentboot({"-v", "--log-format", "json", "unregister", "--agent-dir", root}, ImdsEnv());
  EXPECT_EQ(unregistered.exit_code, 0) << unregistered.err;
  EXPECT_TRUE(AgentsNamed("leaky").empty());

  // Logs, each with debug lines (HTTP exchanges) and in both formats.
  EXPECT_NE(registered.err.find("exchange"), std::string::npos) << registered.err;
  EXPECT_NE(Log().find("\"msg\":\"exchange\""), std::string::npos) << Log();
  for (const RunResult* run : {&registered, &rotated, &unregistered}) {
    EXPECT_EQ(run->out.find(canary), std::string::npos) << run->out;
    EXPECT_EQ(run->err.find(canary), std::string::npos) << run->err;
  }
  // Every file under the test's directory: the agent root, the package cache, HOME, the run's
  // log and the simulator's state.
  EXPECT_EQ(FilesHolding(temp_dir_, canary), std::vector<std::string>{});
}

// L15: agentboot marks itself non-dumpable first thing. Its /proc files then belong to root and
// its own user cannot open its environment, while an ordinary process of that user (the control,
// `sleep`) stays open to it. agentboot is caught mid-run: the token request is held for 3 s.
TEST_F(Leak, AgentbootIsNotDumpable) {
  if (TestUser() == 0) GTEST_SKIP() << "needs a non-root user for agentboot";
  Control("POST", "/faults", {{"path_prefix", "/metadata/identity"}, {"latency_ms", 3000}});
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=/"};
  for (const auto& [key, value] : ImdsEnv()) env.push_back(key + "=" + value);
  const pid_t agentboot = SpawnAsTestUser({AGENTBOOT_BIN, "token"}, env, temp_dir_ + "/token.log");
  const pid_t control = SpawnAsTestUser({"/bin/sleep", "30"}, env, temp_dir_ + "/sleep.log");
  ASSERT_GT(agentboot, 0);
  ASSERT_GT(control, 0);
  // agentboot is past its start (and waiting on IMDS) once the simulator saw the request.
  const bool waiting =
      Eventually([&] { return RequestCount("/metadata/identity") > 0; }, std::chrono::seconds(20));
  const uid_t agentboot_owner = ProcOwner(agentboot);
  const uid_t control_owner = ProcOwner(control);
  const int agentboot_open = OpenEnvironAsTestUser(agentboot);
  const int control_open = OpenEnvironAsTestUser(control);
  Reap(agentboot);
  Reap(control);
  ASSERT_TRUE(waiting) << ReadFile(temp_dir_ + "/token.log");
  EXPECT_EQ(control_owner, TestUser());
  EXPECT_EQ(control_open, 0);
  EXPECT_EQ(agentboot_owner, 0u);
  EXPECT_EQ(agentboot_open, EACCES);
}

}  // namespace
}  // namespace agentboot::cli_test

// The fixture of the `agentboot run` end-to-end tests: agentboot in the background against the
// in-process simulator, with its log in a file, and waits on observable events.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "cli_fixture.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentboot::cli_test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

enum { kCrashLoop = 12, kJobSucceededWithIssues = 21, kJobFailed = 22, kJobCanceled = 23 };

class RunCommand : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    // Short long-polls; a deleted agent's token is refused, as the real service does
    // (agent-audit D3; the simulator's default).
    Control("POST", "/devops/settings", {{"message_poll_ms", 500}});
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    // A SIGKILLed agentboot cannot stop its listener, which runs in its own session (under
    // --run-as as another user): without this it would outlive the test, retrying for ever.
    KillProcessesUnder(temp_dir_);
    CliFixture::TearDown();
  }

  // IMDS, the organization, and the fake listener's retry intervals shortened from the real
  // agent's 30 s (RunArgs names them with --env).
  std::map<std::string, std::string> RunEnv() const {
    auto env = ImdsEnv();
    env["FAKE_AGENT_SESSION_RETRY_MS"] = "500";
    env["FAKE_AGENT_POLL_RETRY_MS"] = "500";
    return env;
  }

  std::vector<std::string> RunArgs(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "--agent-dir", temp_dir_ + "/" + name, "--agent-name",
                                     name,  "--cache-dir", temp_dir_ + "/cache"};
    // The fake listener's knobs pass the listener environment's allow-list only when named.
    for (const char* knob : {"FAKE_AGENT_SESSION_RETRY_MS", "FAKE_AGENT_POLL_RETRY_MS",
                             "FAKE_AGENT_SESSION_CONFLICT_LIMIT_MS"}) {
      args.insert(args.end(), {"--env", knob});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Starts agentboot in the background with its output in <temp>/agentboot.log.
  void Start(const std::vector<std::string>& args) {
    log_path_ = temp_dir_ + "/agentboot.log";
    std::vector<std::string> argv = {AGENTBOOT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (auto& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "HOME=" + temp_dir_};
    for (const auto& [key, value] : RunEnv()) env_strings.push_back(key + "=" + value);
    for (const auto& [key, value] : extra_env_) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  // Exit code of the background agentboot, or -1 when it did not end in time.
  int WaitExit(std::chrono::seconds limit = std::chrono::seconds(90)) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

  // Polls `condition` until it holds or the deadline passes.
  static bool Eventually(const std::function<bool()>& condition,
                         std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }

  bool Online(const std::string& name) {
    const auto agents = AgentsNamed(name);
    return agents.size() == 1 && agents[0].value("status", "") == "online";
  }
  std::string Log() const { return ReadFile(log_path_); }
  int CountInLog(const std::string& needle) const {
    const std::string log = Log();
    int count = 0;
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }
  void QueueJob(const std::string& result, int duration_ms = 500) {
    Control("POST", "/devops/jobs",
            {{"pool", "Default"}, {"duration_ms", duration_ms}, {"result", result}});
  }

  // Calls `visit(pid, executable)` for every process whose executable can be read.
  template <typename Visit>
  static void ForEachProcess(Visit visit) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::error_code unreadable;
      const auto exe = std::filesystem::read_symlink(entry.path() / "exe", unreadable);
      if (!unreadable) visit(static_cast<pid_t>(std::stol(name)), exe);
    }
  }

  // Processes whose executable lives in <root>/bin*/: the listeners of that root.
  static int ListenersIn(const std::string& root) {
    int count = 0;
    const std::filesystem::path real_root = std::filesystem::canonical(root);
    ForEachProcess([&](pid_t, const std::filesystem::path& exe) {
      if (exe.parent_path().parent_path() == real_root) ++count;
    });
    return count;
  }

  // SIGKILL to every process whose executable lives below `dir` (this test's listeners).
  static void KillProcessesUnder(const std::string& dir) {
    std::error_code error;
    const std::filesystem::path real = std::filesystem::canonical(dir, error);
    if (error) return;
    const std::string prefix = real.string() + "/";
    ForEachProcess([&](pid_t pid, const std::filesystem::path& exe) {
      if (exe.string().rfind(prefix, 0) == 0) ::kill(pid, SIGKILL);
    });
  }

  pid_t pid_ = -1;
  std::string log_path_;
  std::map<std::string, std::string> extra_env_;  // more variables for Start()
};

}  // namespace agentboot::cli_test

// The loop with real processes: output streaming, restarts, stop by SIGINT, SIGKILL at the
// deadline, process groups and the scrubbed environment.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "script_fixture.h"
#include <pthread.h>
#include <signal.h>

namespace agentboot::supervisor {
namespace {

using SupervisorLoopTest = ScriptFixture;

// What systemd or a terminal does to agentboot: a stop signal, here aimed at the loop's thread.
void RequestStop(int sig = SIGTERM) { ::pthread_kill(::pthread_self(), sig); }

TEST_F(SupervisorLoopTest, StreamsOutputLinesWithTheirStream) {
  const std::string script = WriteScript("listener", "echo hello\necho oops >&2\nprintf tail\n");
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_EQ(result->exit_code, 0);
  const std::vector<std::pair<Stream, std::string>> expected = {
      {Stream::kStdout, "hello"}, {Stream::kStderr, "oops"}, {Stream::kStdout, "tail"}};
  for (const auto& line : expected) {
    EXPECT_NE(std::find(lines_.begin(), lines_.end(), line), lines_.end()) << line.second;
  }
}

TEST_F(SupervisorLoopTest, ExitTwoTwiceThenZeroRestartsTwiceThenFinishes) {
  const std::string script = WriteScript("listener", R"(
n=$(cat "$1/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1/count"
echo "run $n"
[ "$n" -le 2 ] && exit 2
exit 0)");
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_EQ(result->launches, 3);
  EXPECT_TRUE(SawLine("run 1") && SawLine("run 2") && SawLine("run 3"));
  EXPECT_TRUE(log_.Contains("restarting after back-off")) << log_.AllText();
}

TEST_F(SupervisorLoopTest, ExitOneEndsAsTerminatedAndTheHookSeesIt) {
  const std::string script = WriteScript("listener", "exit 1");
  std::vector<int> codes;
  Hooks hooks;
  hooks.on_exit = [&](const ExitStatus& status) {
    codes.push_back(status.code);
    return ExitDecision::kFollowPolicy;
  };
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_), hooks);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, Outcome::kTerminated);
  EXPECT_EQ(result->exit_code, 10);
  EXPECT_EQ(codes, std::vector<int>{1});
}

TEST_F(SupervisorLoopTest, StopDeliversSigintToTheListener) {
  const std::string script = WriteScript("listener", R"(
trap 'touch "$1/got-sigint"; exit 0' INT
trap 'touch "$1/got-sigterm"; exit 0' TERM
echo ready
while :; do sleep 0.05; done)");
  Hooks hooks;
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") RequestStop(SIGTERM);
  };
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_), hooks);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(Path("got-sigint")));
  EXPECT_FALSE(std::filesystem::exists(Path("got-sigterm")));
}

TEST_F(SupervisorLoopTest, ListenerIgnoringSigintIsKilledAtTheDeadline) {
  const std::string script = WriteScript("listener", "trap '' INT\necho ready\nexec sleep 60");
  Options options = FastOptions(dir_);
  options.policy.kill_timeout = std::chrono::milliseconds(200);
  Hooks hooks;
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") RequestStop(SIGINT);
  };
  auto result = RunSupervisor(SpecFor(script), options, hooks);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, Outcome::kKilled);
  EXPECT_EQ(result->exit_code, 14);
  ASSERT_TRUE(result->last_exit.has_value());
  EXPECT_EQ(result->last_exit->signal, SIGKILL);
}

// Fields 5 and 6 of /proc/<pid>/stat: process group and session.
std::pair<long, long> GroupAndSession(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 1));
  std::string state;
  long ppid = 0;
  long pgrp = 0;
  long session = 0;
  rest >> state >> ppid >> pgrp >> session;
  return {pgrp, session};
}

TEST_F(SupervisorLoopTest, ListenerRunsInItsOwnSessionAndProcessGroup) {
  const std::string script = WriteScript("listener", "echo \"pid $$\"\nexec sleep 60");
  long pid = 0;
  std::pair<long, long> ids{-1, -1};
  Hooks hooks;
  hooks.on_line = [&](std::string_view line, Stream) {
    if (!StartsWith(line, "pid ")) return;
    pid = ParseInt64(line.substr(4)).value_or(0);
    ids = GroupAndSession(pid);
    RequestStop();
  };
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_), hooks);
  ASSERT_TRUE(result.has_value());
  ASSERT_GT(pid, 0);
  EXPECT_EQ(ids.first, pid);
  EXPECT_EQ(ids.second, pid);
  EXPECT_NE(ids.first, static_cast<long>(::getpgrp()));
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_EQ(result->last_exit->signal, SIGINT);  // sleep has the default SIGINT action again
}

TEST_F(SupervisorLoopTest, ChildSeesOnlyTheScrubbedEnvironment) {
  const std::string script = WriteScript("listener", "env");
  LaunchSpec spec = SpecFor(script);
  spec.env = ScrubEnvironment({{"PATH", "/usr/bin:/bin"},
                               {"AZP_TOKEN", "not-for-jobs"},
                               {"AGENTBOOT_POOL", "pool"},
                               {"AZURE_CLIENT_ID", "client"}});
  auto result = RunSupervisor(spec, FastOptions(dir_));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_TRUE(SawLine("AZURE_CLIENT_ID=client"));
  EXPECT_TRUE(SawLine("VSO_AGENT_IGNORE=AZURE_CLIENT_ID"));
  for (const auto& [stream, line] : lines_) {
    EXPECT_FALSE(StartsWith(line, "AZP_TOKEN")) << line;
    EXPECT_FALSE(StartsWith(line, "AGENTBOOT_")) << line;
    EXPECT_FALSE(StartsWith(line, "HOME=")) << line;  // nothing leaks from our own environment
  }
}

}  // namespace
}  // namespace agentboot::supervisor

// Hooks::on_signal: the caller sees SIGINT, SIGTERM, SIGHUP and Options::extra_signals first and
// may take them over. Signals are aimed at the loop's thread, as systemd or a terminal would.

#include <gtest/gtest.h>

#include "script_fixture.h"
#include <pthread.h>
#include <signal.h>

namespace agentboot::supervisor {
namespace {

using SignalRoutingTest = ScriptFixture;

void SendToLoop(int sig) { ::pthread_kill(::pthread_self(), sig); }

// Prints "ready", then exits 0 once "<dir>/go" exists; SIGINT leaves "<dir>/got-sigint".
constexpr const char* kWaitingListener = R"(
trap 'touch "$1/got-sigint"; exit 0' INT
echo ready
while [ ! -e "$1/go" ]; do sleep 0.02; done
exit 0)";

TEST_F(SignalRoutingTest, HandledSigtermDoesNotStopTheListener) {
  std::vector<int> seen;
  Hooks hooks;
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") SendToLoop(SIGTERM);
  };
  hooks.on_signal = [&](int sig) {
    seen.push_back(sig);
    std::ofstream(Path("go")) << "\n";  // let the listener end on its own
    return true;
  };
  auto result =
      RunSupervisor(SpecFor(WriteScript("listener", kWaitingListener)), FastOptions(dir_), hooks);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(seen, std::vector<int>{SIGTERM});
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);  // not kStopped: nobody asked to stop
  EXPECT_FALSE(std::filesystem::exists(Path("got-sigint")));
  EXPECT_FALSE(log_.Contains("stop requested"));
}

TEST_F(SignalRoutingTest, UnhandledSigtermStillStops) {
  std::vector<int> seen;
  Hooks hooks;
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") SendToLoop(SIGTERM);
  };
  hooks.on_signal = [&](int sig) {
    seen.push_back(sig);
    return false;
  };
  auto result =
      RunSupervisor(SpecFor(WriteScript("listener", kWaitingListener)), FastOptions(dir_), hooks);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(seen, std::vector<int>{SIGTERM});
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_TRUE(std::filesystem::exists(Path("got-sigint")));
}

TEST_F(SignalRoutingTest, ExtraSignalReachesTheHookWhichPostsAStop) {
  std::unique_ptr<Supervisor> supervisor;
  std::vector<int> seen;
  Hooks hooks;
  hooks.make_launch_spec = [spec = SpecFor(WriteScript("listener", kWaitingListener))] {
    return Result<LaunchSpec>(spec);
  };
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") SendToLoop(SIGUSR1);
  };
  hooks.on_signal = [&](int sig) {
    seen.push_back(sig);
    supervisor->Post(Command::kStop);  // from the loop thread, inside a hook
    return true;
  };
  Options options = FastOptions(dir_);
  options.extra_signals = {SIGUSR1};
  supervisor = NewSupervisor(env_, PosixChildLauncher(), options, hooks);
  auto result = supervisor->Run();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(seen, std::vector<int>{SIGUSR1});
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_TRUE(std::filesystem::exists(Path("got-sigint")));
}

TEST_F(SignalRoutingTest, UnhandledExtraSignalIsIgnored) {
  std::vector<int> seen;
  Hooks hooks;
  hooks.on_line = [](std::string_view line, Stream) {
    if (line == "ready") SendToLoop(SIGUSR2);
  };
  hooks.on_signal = [&](int sig) {
    seen.push_back(sig);
    std::ofstream(Path("go")) << "\n";
    return false;
  };
  Options options = FastOptions(dir_);
  options.extra_signals = {SIGUSR2};
  auto result = RunSupervisor(SpecFor(WriteScript("listener", kWaitingListener)), options, hooks);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(seen, std::vector<int>{SIGUSR2});
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_TRUE(log_.Contains("signal ignored")) << log_.AllText();
}

TEST_F(SignalRoutingTest, UncatchableExtraSignalIsRefused) {
  Options options = FastOptions(dir_);
  options.extra_signals = {SIGKILL};
  auto result = RunSupervisor(SpecFor(WriteScript("listener", "exit 0")), options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace agentboot::supervisor

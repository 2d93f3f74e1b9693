// Commands posted to the real loop (Supervisor::Post): pause stops a real child with SIGINT and
// keeps supervising, resume launches a new one, stop ends. A second thread plays the controller.

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "script_fixture.h"

namespace agentboot::supervisor {
namespace {

using SupervisorCommandsTest = ScriptFixture;
using std::chrono::seconds;

// Each run prints "ready <n>" and waits; SIGINT leaves "<dir>/sigint-<n>" behind and exits 0.
constexpr const char* kPatientListener = R"(
n=$(cat "$1/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1/count"
trap 'touch "$1/sigint-$n"; exit 0' INT
echo "ready $n"
while :; do sleep 0.05; done)";

// What the hooks saw, for a thread that waits for one of them under a deadline.
class Observed {
 public:
  void Add(std::string event) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }
  // false when `event` was not seen within the deadline.
  bool WaitFor(const std::string& event) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, seconds(30), [&] {
      return std::find(events_.begin(), events_.end(), event) != events_.end();
    });
  }
  int Count(const std::string& event) {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(events_.begin(), events_.end(), event));
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> events_;
};

// Lines as "line:<text>" and phases as "phase:<name>".
Hooks ObservingHooks(const LaunchSpec& spec, Observed& observed) {
  Hooks hooks;
  hooks.make_launch_spec = [spec] { return Result<LaunchSpec>(spec); };
  hooks.on_line = [&observed](std::string_view line, Stream) {
    observed.Add("line:" + std::string(line));
  };
  hooks.on_transition = [&observed](const State& state) {
    observed.Add("phase:" + std::string(PhaseName(state.phase)));
  };
  return hooks;
}

TEST_F(SupervisorCommandsTest, PauseResumeAndStopPostedFromAnotherThread) {
  Observed observed;
  Hooks hooks = ObservingHooks(SpecFor(WriteScript("listener", kPatientListener)), observed);
  hooks.on_transition = [&observed](const State& state) {
    observed.Add("phase:" + std::string(PhaseName(state.phase)));
    if (state.phase == Phase::kPaused) {
      observed.Add(state.pid == 0 ? "paused without a child" : "paused with a child");
    }
  };
  auto supervisor = NewSupervisor(env_, PosixChildLauncher(), FastOptions(dir_), hooks);
  std::vector<std::string> missed;
  std::thread controller([&] {
    for (const auto& [wait_for, command] :
         {std::pair{"line:ready 1", Command::kPause}, std::pair{"phase:paused", Command::kResume},
          std::pair{"line:ready 2", Command::kStop}}) {
      if (!observed.WaitFor(wait_for)) missed.emplace_back(wait_for);
      supervisor->Post(command);
    }
  });
  auto result = supervisor->Run();
  controller.join();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_TRUE(missed.empty()) << missed.front();
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->launches, 2);
  EXPECT_TRUE(std::filesystem::exists(Path("sigint-1")));  // the pause used SIGINT
  EXPECT_TRUE(std::filesystem::exists(Path("sigint-2")));  // so did the stop
  EXPECT_EQ(observed.Count("phase:paused"), 1);
  EXPECT_EQ(observed.Count("paused without a child"), 1);
  EXPECT_EQ(observed.Count("phase:done"), 1);
  EXPECT_TRUE(log_.Contains("listener paused")) << log_.AllText();
}

TEST_F(SupervisorCommandsTest, CommandPostedBeforeRunAppliesAfterTheFirstLaunch) {
  Observed observed;
  Hooks hooks = ObservingHooks(SpecFor(WriteScript("listener", kPatientListener)), observed);
  std::unique_ptr<Supervisor> supervisor;
  hooks.on_transition = [&](const State& state) {
    observed.Add("phase:" + std::string(PhaseName(state.phase)));
    // Posting from a hook on the loop thread must not deadlock.
    if (state.phase == Phase::kPaused) supervisor->Post(Command::kStop);
  };
  supervisor = NewSupervisor(env_, PosixChildLauncher(), FastOptions(dir_), hooks);
  supervisor->Post(Command::kPause);
  auto result = supervisor->Run();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_EQ(result->launches, 1);
  EXPECT_EQ(observed.Count("phase:running"), 1);
  EXPECT_EQ(observed.Count("phase:paused"), 1);
  // The SIGINT may arrive before the script has set its trap: then it dies of it.
  ASSERT_TRUE(result->last_exit.has_value());
  EXPECT_TRUE(std::filesystem::exists(Path("sigint-1")) || result->last_exit->signal == SIGINT)
      << result->last_exit->ToString();
}

// A recycle asked while listener 1 ran, applied only after listener 1 exited by itself and
// listener 2 was launched (the exit hook posts it, on the loop thread, before the relaunch: the
// order a re-registration watcher and a listener that exits on its agent's deletion can take).
// Listener 2 is already the replacement: stopping it while it starts would be a needless SIGINT.
TEST_F(SupervisorCommandsTest, RecycleForAListenerThatExitedMeanwhileIsIgnored) {
  // kPatientListener, but the first run exits 2 by itself, past min_restart_spacing so that the
  // relaunch is immediate.
  std::string exits_first = kPatientListener;
  exits_first.insert(exits_first.find("while"), "[ \"$n\" = 1 ] && { sleep 0.2; exit 2; }\n");
  Observed observed;
  Hooks hooks = ObservingHooks(SpecFor(WriteScript("listener", exits_first)), observed);
  std::unique_ptr<Supervisor> supervisor;
  hooks.on_exit = [&](const ExitStatus& status) {
    if (status.code != 2) return ExitDecision::kFollowPolicy;
    supervisor->Post(Command::kRecycle);
    return ExitDecision::kRelaunch;
  };
  supervisor = NewSupervisor(env_, PosixChildLauncher(), FastOptions(dir_), hooks);
  bool ready = false;
  // Listener 1 exits by itself: only its SIGCHLD wakes the loop, and a thread that does not block
  // it could take it instead (Supervisor's contract: every other thread blocks them).
  sigset_t loop_signals;
  sigemptyset(&loop_signals);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&loop_signals, sig);
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &loop_signals, &before), 0);
  std::thread controller([&] {  // inherits the blocked signals
    ready = observed.WaitFor("line:ready 2");
    supervisor->Post(Command::kStop);
  });
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  auto result = supervisor->Run();
  controller.join();
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_TRUE(ready) << log_.AllText();
  EXPECT_EQ(result->outcome, Outcome::kStopped);
  EXPECT_EQ(result->launches, 2);
  EXPECT_TRUE(log_.Contains("recycle request ignored")) << log_.AllText();
  EXPECT_FALSE(log_.Contains("pausing the listener")) << log_.AllText();
}

TEST_F(SupervisorCommandsTest, CommandPostedAfterRunReturnedIsDropped) {
  Observed observed;
  Hooks hooks = ObservingHooks(SpecFor(WriteScript("listener", "exit 0")), observed);
  std::unique_ptr<Supervisor> supervisor;
  hooks.on_transition = [&](const State& state) {
    // Were the pause kept for the next Run, this stop would end that run as kStopped.
    if (state.phase == Phase::kPaused) supervisor->Post(Command::kStop);
  };
  supervisor = NewSupervisor(env_, PosixChildLauncher(), FastOptions(dir_), hooks);
  auto first = supervisor->Run();
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_EQ(first->outcome, Outcome::kSucceeded);
  supervisor->Post(Command::kPause);
  auto second = supervisor->Run();
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_EQ(second->outcome, Outcome::kSucceeded);
  EXPECT_EQ(second->launches, 1);
}

}  // namespace
}  // namespace agentboot::supervisor

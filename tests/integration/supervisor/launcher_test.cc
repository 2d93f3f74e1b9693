// The real fork/exec launcher: failures are synchronous errors, never a mysterious exit 127.

#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "script_fixture.h"
#include <fcntl.h>
#include <sys/socket.h>

namespace agentboot::supervisor {
namespace {

using LauncherTest = ScriptFixture;

TEST_F(LauncherTest, MissingProgramFailsSynchronously) {
  auto child = PosixChildLauncher().Spawn(SpecFor(Path("no-such-listener")));
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code, ErrorCode::kNotFound);
  EXPECT_NE(child.error().detail.find("exec"), std::string::npos) << child.error().ToString();
}

TEST_F(LauncherTest, NonExecutableProgramIsPermissionDenied) {
  const std::string path = WriteScript("listener", "exit 0");
  ::chmod(path.c_str(), 0644);
  auto child = PosixChildLauncher().Spawn(SpecFor(path));
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(LauncherTest, BadWorkingDirectoryNamesTheFailingStep) {
  LaunchSpec spec = SpecFor(WriteScript("listener", "exit 0"));
  spec.working_directory = Path("missing-dir");
  auto child = PosixChildLauncher().Spawn(spec);
  ASSERT_FALSE(child.has_value());
  EXPECT_NE(child.error().detail.find("chdir"), std::string::npos) << child.error().ToString();
}

// Security review M4: a descriptor agentboot holds without close-on-exec (Poco's listening
// socket, a library's connection) must not reach the listener and its jobs. `ls -l
// /proc/self/fd` shows the child's descriptors: 0-2 and ls's own directory, nothing else.
TEST_F(LauncherTest, ChildInheritsOnlyStandardDescriptors) {
  const int leaky_file = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  const int leaky_socket = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(leaky_file, 3);
  ASSERT_GE(leaky_socket, 3);
  const std::string listing = Path("fds");
  auto result = RunSupervisor(SpecFor(WriteScript("listener", "ls -l /proc/self/fd > \"$1/fds\"")),
                              FastOptions(dir_));
  ::close(leaky_file);
  ::close(leaky_socket);
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  std::ifstream in(listing);
  std::set<std::string> fds;
  for (std::string line; std::getline(in, line);) {
    const auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;  // "total 0"
    const std::string target = line.substr(arrow + 4);
    const size_t space = line.rfind(' ', arrow - 1);
    const std::string name = line.substr(space + 1, arrow - space - 1);
    if (name.size() == 1 && name[0] <= '2') continue;
    EXPECT_NE(target.find("/fd"), std::string::npos) << "inherited: " << line;
    fds.insert(name);
  }
  EXPECT_EQ(fds.size(), 1U) << "expected only ls's own directory above fd 2";
}

// Security review L12: a SIGSTOPped child is seen as stopped ('T') through /proc.
TEST_F(LauncherTest, ProcessStateSeesAStoppedChild) {
  auto child = PosixChildLauncher().Spawn(SpecFor(WriteScript("listener", "exec sleep 30")));
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  const int pid = child->pid;
  const auto eventually = [](const std::function<bool()>& condition) {
    for (int i = 0; i < 100 && !condition(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
  };
  EXPECT_TRUE(eventually([&] { return ProcessState(pid).has_value(); }));
  EXPECT_FALSE(IsStoppedState(ProcessState(pid)));
  ASSERT_TRUE(PosixChildLauncher().Signal(pid, SIGSTOP, false).has_value());
  EXPECT_TRUE(eventually([&] { return IsStoppedState(ProcessState(pid)); }));
  ASSERT_TRUE(PosixChildLauncher().Signal(pid, SIGCONT, false).has_value());
  EXPECT_TRUE(eventually([&] { return !IsStoppedState(ProcessState(pid)); }));
  ASSERT_TRUE(PosixChildLauncher().Signal(pid, SIGKILL, true).has_value());
  bool reaped = false;
  EXPECT_TRUE(eventually([&] {
    if (!reaped) {
      auto status = PosixChildLauncher().TryReap(pid);
      reaped = status && status->has_value();
    }
    return reaped;
  }));
  EXPECT_EQ(ProcessState(pid), std::nullopt);
}

TEST_F(LauncherTest, EmptyArgvIsInvalid) {
  auto child = PosixChildLauncher().Spawn(LaunchSpec{});
  ASSERT_FALSE(child.has_value());
  EXPECT_EQ(child.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LauncherTest, ProgramWithoutSlashIsFoundOnTheChildPath) {
  WriteScript("fake-listener", "echo found");
  LaunchSpec spec = SpecFor("fake-listener");
  spec.env["PATH"] = dir_ + ":/usr/bin:/bin";
  auto result = RunSupervisor(spec, FastOptions(dir_));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_TRUE(SawLine("found"));
}

TEST_F(LauncherTest, SupervisorReportsFirstLaunchFailureAsOutcome) {
  auto result = RunSupervisor(SpecFor(Path("no-such-listener")), FastOptions(dir_));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, Outcome::kLaunchFailed);
  EXPECT_EQ(result->exit_code, 13);
  EXPECT_TRUE(log_.Contains("No such file or directory")) << log_.AllText();
}

}  // namespace
}  // namespace agentboot::supervisor

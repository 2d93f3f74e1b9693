// The real fork/exec launcher: failures are synchronous errors, never a mysterious exit 127.

#include <gtest/gtest.h>

#include "script_fixture.h"

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

#include <gtest/gtest.h>

#include "agentboot/supervisor_testing.h"

namespace agentboot::supervisor::testing {
namespace {

TEST(FakeChildLauncher, ChildRunsUntilTheTestEndsIt) {
  FakeChildLauncher launcher;
  auto child = launcher.Spawn(LaunchSpec{{"/agent/bin/Agent.Listener", "run"}, {}, "", {}, {}, {}});
  ASSERT_TRUE(child.has_value());
  EXPECT_FALSE(child->stdout_fd.valid());
  auto running = launcher.TryReap(child->pid);
  ASSERT_TRUE(running.has_value());
  EXPECT_FALSE(running->has_value());
  launcher.Exit(child->pid, ExitStatus{2, 0});
  auto reaped = launcher.TryReap(child->pid);
  ASSERT_TRUE(reaped.has_value() && reaped->has_value());
  EXPECT_EQ((*reaped)->code, 2);
  EXPECT_FALSE(launcher.TryReap(child->pid).has_value());  // reaped once only
  EXPECT_EQ(launcher.specs().at(0).argv.at(1), "run");
}

TEST(FakeChildLauncher, RecordsSignalsAndScriptedFailures) {
  FakeChildLauncher launcher;
  launcher.FailNextSpawn(MakeError(ErrorCode::kNotFound, "spawn", "exec: ENOENT"));
  EXPECT_EQ(launcher.Spawn(LaunchSpec{{"x"}, {}, "", {}, {}, {}}).error().code,
            ErrorCode::kNotFound);
  auto child = launcher.Spawn(LaunchSpec{{"x"}, {}, "", {}, {}, {}});
  ASSERT_TRUE(child.has_value());
  EXPECT_TRUE(launcher.Signal(child->pid, SIGINT, false).has_value());
  ASSERT_EQ(launcher.signals().size(), 1U);
  EXPECT_EQ(launcher.signals()[0].signal, SIGINT);
  EXPECT_EQ(launcher.running(), std::vector<int>{child->pid});
}

}  // namespace
}  // namespace agentboot::supervisor::testing

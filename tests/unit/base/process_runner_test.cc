#include <gtest/gtest.h>

#include "agentboot/base.h"

// These run real short-lived processes (/bin/sh): the runner is the OS seam itself.
namespace agentboot {
namespace {

ProcessSpec Shell(const std::string& script, Duration timeout = std::chrono::seconds(10)) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {{"ONLY", "this"}};
  spec.timeout = timeout;
  return spec;
}

TEST(PosixProcessRunner, CapturesOutputAndExitCode) {
  const auto result = PosixProcessRunner().Run(Shell("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->stdout_text, "out\n");
  EXPECT_EQ(result->stderr_text, "err\n");
}

TEST(PosixProcessRunner, ChildSeesOnlyTheGivenEnvironment) {
  const auto result = PosixProcessRunner().Run(Shell("echo \"$ONLY:${HOME:-unset}\""));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stdout_text, "this:unset\n");
}

TEST(PosixProcessRunner, MissingProgramIsNotFound) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/agentboot-no-such-program"};
  const auto result = PosixProcessRunner().Run(spec);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
}

TEST(PosixProcessRunner, TimeoutKillsTheProcessGroup) {
  const auto result = PosixProcessRunner().Run(
      Shell("sleep 30 & sleep 30; echo never", std::chrono::milliseconds(200)));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->stdout_text, "");
}

}  // namespace
}  // namespace agentboot

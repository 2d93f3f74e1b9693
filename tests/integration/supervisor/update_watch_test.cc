// Exit 3: the loop waits for the update script's _diag marker before relaunching.

#include <gtest/gtest.h>

#include "script_fixture.h"

namespace agentboot::supervisor {
namespace {

using UpdateWatchTest = ScriptFixture;

// First run: start a fake update script that waits until the listener is gone (reaped), as the
// real one does with /proc/<pid>, then renames its log to .succeed; exit 3. Second run: exit 0.
constexpr const char* kUpdatingListener = R"(
n=$(cat "$1/count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1/count"
echo "run $n"
if [ "$n" -eq 1 ]; then
  (
    while [ -e "/proc/$$" ]; do sleep 0.02; done
    mkdir -p "$1/_diag"
    echo log > "$1/_diag/SelfUpdate-20260101-000000.log"
    mv "$1/_diag/SelfUpdate-20260101-000000.log" "$1/_diag/SelfUpdate-20260101-000000.log.succeed"
  ) >/dev/null 2>&1 &
  exit 3
fi
exit 0)";

TEST_F(UpdateWatchTest, RelaunchesWhenTheSucceedMarkerAppearsThroughInotify) {
  std::filesystem::create_directories(Path("_diag"));
  std::ofstream(Path("_diag/SelfUpdate-19990101-000000.log.succeed")) << "old";  // not new
  const std::string script = WriteScript("listener", kUpdatingListener);
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_EQ(result->launches, 2);
  EXPECT_TRUE(SawLine("run 2"));
  EXPECT_TRUE(log_.Contains("SelfUpdate-20260101-000000.log.succeed")) << log_.AllText();
  EXPECT_FALSE(log_.Contains("relaunching anyway")) << log_.AllText();
}

TEST_F(UpdateWatchTest, RelaunchesWhenTheMarkerAppearsInADiagCreatedLater) {
  // No _diag at the start: no inotify watch is possible, the loop rescans on its timer.
  const std::string script = WriteScript("listener", kUpdatingListener);
  auto result = RunSupervisor(SpecFor(script), FastOptions(dir_));
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->outcome, Outcome::kSucceeded);
  EXPECT_EQ(result->launches, 2);
  EXPECT_TRUE(log_.Contains("self-update finished")) << log_.AllText();
}

}  // namespace
}  // namespace agentboot::supervisor

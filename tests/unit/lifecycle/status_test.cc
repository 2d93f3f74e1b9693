// The status file: its JSON, the phase it derives, and how it is written (atomically, only on
// change, never through a symlink).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agentboot/lifecycle_status.h"

#include "lifecycle_fakes.h"
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::lifecycle::testing {
namespace {

using std::chrono::seconds;

class StatusFile : public ::testing::Test {
 protected:
  agentboot::testing::FakeEnv fake_;
  const std::string path_ = "/agents/a1/.agentboot.status";
  StatusWriter writer_{fake_.env, "/agents/a1", 4242};

  RunStatus OnDisk() {
    auto text = fake_.fs.ReadFile(path_);
    EXPECT_TRUE(text) << text.error().ToString();
    auto status = ParseStatus(text ? *text : "");
    EXPECT_TRUE(status) << status.error().ToString();
    return status ? *status : RunStatus{};
  }
};

TEST_F(StatusFile, RoundTripsEveryField) {
  RunStatus status;
  status.phase = RunPhase::kDraining;
  status.agentboot_pid = 7;
  status.updated_at = FromUnixSeconds(1'800'000'123);
  status.listener = {99, "running", 3, 2};
  status.drain = {DrainState::kFinished,
                  "scheduled event Terminate",
                  "done",
                  FromUnixSeconds(1'800'000'200),
                  FromUnixSeconds(1'800'000'900),
                  false,
                  "failed",
                  true,
                  "DELETE agent: 503"};
  status.rotation = {4, "", 2, 4, "failed", "PUT key: 500"};
  auto parsed = ParseStatus(StatusJson(status));
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(parsed->phase, RunPhase::kDraining);
  EXPECT_EQ(parsed->agentboot_pid, 7);
  EXPECT_EQ(parsed->updated_at, status.updated_at);
  EXPECT_EQ(parsed->listener, status.listener);
  EXPECT_EQ(parsed->drain, status.drain);
  EXPECT_EQ(parsed->rotation, status.rotation);
}

TEST_F(StatusFile, RefusesTextThatIsNotAStatus) {
  EXPECT_FALSE(ParseStatus(""));
  EXPECT_FALSE(ParseStatus("{\"version\": 1"));  // a torn write would look like this
  EXPECT_FALSE(ParseStatus("{\"version\": 2, \"phase\": \"running\"}"));
  EXPECT_FALSE(ParseStatus("[1]"));
  EXPECT_FALSE(ParseStatus("{\"version\": 1, \"agentboot_pid\": \"seven\"}"));
}

TEST_F(StatusFile, ThePhaseFollowsTheListenerARotationAndADrain) {
  ASSERT_TRUE(writer_.Update([](RunStatus&) {}));
  EXPECT_EQ(OnDisk().phase, RunPhase::kStarting);
  EXPECT_EQ(OnDisk().agentboot_pid, 4242);
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.listener = {100, "running", 1, 0}; }));
  EXPECT_EQ(OnDisk().phase, RunPhase::kRunning);
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.rotation.step = "pausing"; }));
  EXPECT_EQ(OnDisk().phase, RunPhase::kRotating);
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.drain.state = DrainState::kDraining; }));
  EXPECT_EQ(OnDisk().phase, RunPhase::kDraining);  // a drain takes over from a rotation
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.drain.state = DrainState::kFinished; }));
  EXPECT_EQ(OnDisk().phase, RunPhase::kStopping);
  ASSERT_TRUE(writer_.MarkStopping());
  ASSERT_TRUE(writer_.MarkStopped());
  EXPECT_EQ(OnDisk().phase, RunPhase::kStopped);
  ASSERT_TRUE(writer_.MarkStopping());  // stopped stays stopped
  EXPECT_EQ(OnDisk().phase, RunPhase::kStopped);
}

TEST_F(StatusFile, TheListenerEndingMeansStopping) {
  RunStatus status;
  status.listener = {0, "done", 2, 0};
  EXPECT_EQ(DerivePhase(status, std::nullopt), RunPhase::kStopping);
  status.listener = {0, "backoff", 2, 0};
  EXPECT_EQ(DerivePhase(status, std::nullopt), RunPhase::kRunning);
}

TEST_F(StatusFile, IsWrittenOnlyWhenItChangesWithTheTimeOfTheChange) {
  const TimePoint t0 = fake_.clock.Now();
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.listener.phase = "starting"; }));
  EXPECT_EQ(OnDisk().updated_at, t0);
  fake_.clock.Advance(seconds(30));
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.listener.phase = "starting"; }));
  EXPECT_EQ(OnDisk().updated_at, t0);  // same content: no write, no new time
  fake_.clock.Advance(seconds(30));
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.listener.phase = "running"; }));
  EXPECT_EQ(OnDisk().updated_at, t0 + seconds(60));
  EXPECT_EQ(fake_.fs.ModeOf(path_), 0644u);
}

TEST_F(StatusFile, AFailedWriteKeepsTheLastGoodFileAndIsRetriedAtTheNextChange) {
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.rotation.attempt = 1; }));
  fake_.fs.FailWritesUnder("/agents/a1/");
  EXPECT_FALSE(writer_.Update([](RunStatus& s) { s.rotation.attempt = 2; }));
  EXPECT_FALSE(writer_.Update([](RunStatus& s) { s.rotation.attempt = 3; }));
  EXPECT_EQ(OnDisk().rotation.attempt, 1);  // the old status, whole
  EXPECT_EQ(writer_.Current().rotation.attempt, 3);
  int warnings = 0;
  for (const auto& entry : fake_.log.entries()) {
    warnings += entry.message.find("cannot write the status file") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(warnings, 1);  // once per streak
  fake_.fs.FailWritesUnder("/nowhere/");
  ASSERT_TRUE(writer_.Update([](RunStatus& s) { s.rotation.step = "disabling"; }));
  EXPECT_EQ(OnDisk().rotation.attempt, 3);
}

// The real file system: rename(2) replaces a symlink at the path and never writes its target,
// and no temp file is left behind.
TEST(StatusFileOnDisk, ReplacesASymlinkInsteadOfWritingThroughIt) {
  char pattern[] = "/tmp/ab_h14status_XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string target = dir + "/target";
  std::ofstream(target) << "precious";
  std::filesystem::create_symlink(target, dir + "/.agentboot.status");
  agentboot::testing::FakeClock clock;
  agentboot::testing::FakeEnvironment vars;
  agentboot::testing::RecordingLogger log;
  agentboot::testing::SeededRandom random;
  agentboot::testing::FakeProcessRunner processes;
  Env env{clock, PosixFileSystem(), vars, log, random, processes};
  StatusWriter writer(env, dir, 1);
  ASSERT_TRUE(writer.Update([](RunStatus& s) { s.listener.phase = "running"; }));
  std::ifstream in(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat((dir + "/.agentboot.status").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777U, 0644U);
  EXPECT_EQ(st.st_uid, ::geteuid());
  auto parsed = ParseStatus(*PosixFileSystem().ReadFile(dir + "/.agentboot.status"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->listener.phase, "running");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2);  // the target and the status: no temp file left
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace agentboot::lifecycle::testing

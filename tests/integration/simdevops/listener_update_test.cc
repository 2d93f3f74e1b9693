// Self-update of the fake Agent.Listener (agent-contract §4 "Self-update", §6): an AgentRefresh
// for the next package version ends the listener with exit 3; the update script then points bin
// at bin.<next>, leaves _diag/SelfUpdate-*.log.succeed, and the new binary reports its version.
#include <filesystem>

#include "listener_files.h"

namespace agentboot::simdevops_test {
namespace {

namespace fs = std::filesystem;

using SimDevOpsListenerUpdate = ListenerFixture;

bool HasSucceededLog(const std::string& root) {
  if (!fs::exists(root + "/_diag")) return false;
  for (const auto& entry : fs::directory_iterator(root + "/_diag")) {
    if (EndsWith(entry.path().filename().string(), ".log.succeed")) return true;
  }
  return false;
}

TEST_F(SimDevOpsListenerUpdate, AgentRefreshSwapsBinThroughTheUpdateScript) {
  Answer registered =
      Control("POST", "/_control/devops/packages",
              {{"version", FAKE_AGENT_NEXT_VERSION}, {"path", FAKE_AGENT_NEXT_PACKAGE}});
  ASSERT_EQ(registered.status, 200) << registered.body;
  nlohmann::json agent = PrepareAgent("updater");
  const std::string root = RootOf("updater");
  auto listener = ListenerProcess::Start(root, {"run"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  ASSERT_EQ(Control("POST", "/_control/devops/agent-refresh",
                    {{"agent_id", agent["id"]}, {"target_version", FAKE_AGENT_NEXT_VERSION}})
                .status,
            200);
  EXPECT_EQ(listener->Wait(), std::optional<int>(3)) << listener->Stderr();
  EXPECT_NE(listener->Stdout().find("Agent update in progress, do not shutdown agent."),
            std::string::npos);
  ASSERT_TRUE(WaitUntil([&] { return HasSucceededLog(root); })) << listener->Stderr();
  ASSERT_TRUE(fs::is_symlink(root + "/bin"));
  // update.sh.template:105: an absolute link into the root.
  EXPECT_EQ(fs::read_symlink(root + "/bin").string(),
            root + "/bin." + std::string(FAKE_AGENT_NEXT_VERSION));
  EXPECT_TRUE(fs::is_directory(root + "/bin." + std::string(FAKE_AGENT_VERSION)));
  EXPECT_TRUE(fs::is_symlink(root + "/externals"));

  ProcessSpec version;
  version.argv = {root + "/bin/Agent.Listener", "--version"};
  Result<ProcessOutput> output = PosixProcessRunner().Run(version);
  ASSERT_TRUE(output) << output.error().ToString();
  EXPECT_EQ(Trim(output->stdout_text), FAKE_AGENT_NEXT_VERSION);
}

TEST_F(SimDevOpsListenerUpdate, DisabledUpdateIgnoresAgentRefresh) {
  nlohmann::json agent = PrepareAgent("pinned");
  auto listener =
      ListenerProcess::Start(RootOf("pinned"), {"run", "--once"}, {{"agent.disableupdate", "1"}});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  ASSERT_EQ(Control("POST", "/_control/devops/agent-refresh",
                    {{"agent_id", agent["id"]}, {"target_version", FAKE_AGENT_NEXT_VERSION}})
                .status,
            200);
  ASSERT_TRUE(listener->WaitForStdout("ignoring the request")) << listener->Stderr();
  // Still listening: a job is taken and --once ends normally.
  QueueJob({{"pool", 1}, {"duration_ms", 50}});
  EXPECT_EQ(listener->Wait(), std::optional<int>(0)) << listener->Stderr();
  // No update started: no SelfUpdate log (every start creates _diag itself).
  for (const auto& entry : fs::directory_iterator(RootOf("pinned") + "/_diag")) {
    EXPECT_FALSE(StartsWith(entry.path().filename().string(), "SelfUpdate-"));
  }
}

}  // namespace
}  // namespace agentboot::simdevops_test

// The fake Agent.Listener behaves like the real one where agentboot can see it (agent-audit
// D1-D10; file:line references are to microsoft/azure-pipelines-agent at 42bde98): its root is
// where its binary really lives, every start creates _diag, capabilities honour
// VSO_AGENT_IGNORE and .capabilities, a refused token is retried for ever, an update restarts
// an interactive agent through run.sh, and the simulator refuses a deleted agent's token.
#include <filesystem>
#include <fstream>
#include <thread>

#include "listener_files.h"
#include <signal.h>

namespace agentboot::simdevops_test {
namespace {

namespace fs = std::filesystem;

using SimDevOpsListenerFidelity = ListenerFixture;

// The processes whose executable lives in <root>/bin*/ (a listener started behind our back).
std::vector<pid_t> Listeners(const std::string& root) {
  std::vector<pid_t> pids;
  const fs::path real_root = fs::canonical(root);
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::error_code error;
    const fs::path exe = fs::read_symlink(entry.path() / "exe", error);
    if (error || exe.parent_path().parent_path() != real_root) continue;
    pids.push_back(static_cast<pid_t>(std::stoi(entry.path().filename().string())));
  }
  return pids;
}

int CountListeners(const std::string& root) { return static_cast<int>(Listeners(root).size()); }

ProcessOutput RunOnce(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {}) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  for (const auto& [key, value] : env) spec.env[key] = value;
  spec.timeout = std::chrono::seconds(60);
  return PosixProcessRunner().Run(spec).value_or(ProcessOutput{});
}

// D1: the apphost resolves /proc/self/exe; a root whose bin links elsewhere is not its root.
TEST_F(SimDevOpsListenerFidelity, RootIsWhereTheBinaryReallyLives) {
  PrepareAgent("real");
  const std::string linked = temp_dir_ + "/linked";
  fs::create_directories(linked);
  fs::create_symlink(RootOf("real") + "/bin", linked + "/bin");
  // The linked root has no .agent, but the listener reads the real root's.
  const ProcessOutput output = RunOnce({linked + "/bin/Agent.Listener", "run", "--check"});
  EXPECT_EQ(output.exit_code, 0) << output.stderr_text;
  EXPECT_TRUE(fs::exists(RootOf("real") + "/_diag"));
  EXPECT_FALSE(fs::exists(linked + "/_diag"));
}

// D5: --version creates the diagnostics directory too, unless AGENT_DIAGLOGPATH points elsewhere.
TEST_F(SimDevOpsListenerFidelity, VersionCreatesTheDiagnosticsDirectory) {
  PrepareAgent("diag");
  const std::string root = RootOf("diag");
  const std::string elsewhere = temp_dir_ + "/private-diag";
  EXPECT_EQ(RunOnce({root + "/bin/Agent.Listener", "--version"}, {{"AGENT_DIAGLOGPATH", elsewhere}})
                .exit_code,
            0);
  EXPECT_FALSE(fs::exists(root + "/_diag"));
  EXPECT_FALSE(fs::is_empty(elsewhere));
  EXPECT_EQ(RunOnce({root + "/bin/Agent.Listener", "--version"}).exit_code, 0);
  EXPECT_FALSE(fs::is_empty(root + "/_diag"));
  // A _diag it cannot write is an unhandled exception: an abort, not exit 1 or 2.
  fs::remove_all(root + "/_diag");
  std::ofstream(root + "/_diag") << "a file where the directory should be";
  EXPECT_EQ(RunOnce({root + "/bin/Agent.Listener", "--version"}).exit_code, 128 + SIGABRT);
}

// 7a/7b: VSO_AGENT_IGNORE (case-sensitive on Linux) and <root>/.capabilities.
TEST_F(SimDevOpsListenerFidelity, CapabilitiesHonourIgnoreListAndCapabilitiesFile) {
  nlohmann::json agent = PrepareAgent("caps");
  std::ofstream(RootOf("caps") + "/.capabilities") << "gpu=a100\n";
  auto listener = ListenerProcess::Start(
      RootOf("caps"), {"run"},
      {{"HIDDEN_ONE", "x"}, {"SHOWN_ONE", "y"}, {"VSO_AGENT_IGNORE", " HIDDEN_ONE , shown_one"}});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  const nlohmann::json state =
      Api("GET",
          "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>()) +
              "?includeCapabilities=true",
          admin_)
          .Json();
  const nlohmann::json caps = state["systemCapabilities"];
  EXPECT_FALSE(caps.contains("HIDDEN_ONE"));
  EXPECT_EQ(caps.value("SHOWN_ONE", ""), "y");  // "shown_one" does not match: Ordinal
  EXPECT_EQ(caps.value("gpu", ""), "a100");
  listener->Signal(SIGINT);
  EXPECT_EQ(listener->Wait(), std::optional<int>(0));
}

// D3: deleted while it polls, the listener's long poll answers TaskAgentNotFoundException, which
// is rethrown: exit 2 (MessageListener.cs:434-450, Program.cs:188-194). The next start gets
// no token (the simulator refuses a deleted registration) and retries that for ever.
TEST_F(SimDevOpsListenerFidelity, DeletedAgentsTokenIsRefusedAndRetriedForEver) {
  nlohmann::json agent = PrepareAgent("gone");
  auto listener = ListenerProcess::Start(RootOf("gone"), {"run"});
  ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
  // "Listening for Jobs" comes before the first poll reaches the service. Deleted before that, the
  // poll's token is refused and the listener retries for ever (the second half below), so wait
  // until the poll is parked: D3 is a deletion while the listener polls.
  ASSERT_TRUE(WaitUntil([&] {
    return Control("GET", "/_control/stats").Json()["devops"].value("parked_polls", 0) >= 1;
  })) << listener->Stderr();
  const std::string path =
      "/_apis/distributedtask/pools/1/agents/" + std::to_string(agent["id"].get<int64_t>());
  ASSERT_EQ(Api("DELETE", path, admin_).status, 204);
  EXPECT_EQ(listener->Wait(), std::optional<int>(2)) << listener->Stderr();
  EXPECT_NE(listener->Stderr().find("TaskAgentNotFoundException"), std::string::npos);
  auto again =
      ListenerProcess::Start(RootOf("gone"), {"run"}, {{"FAKE_AGENT_SESSION_RETRY_MS", "200"}});
  ASSERT_TRUE(WaitUntil([&] {
    return again->Stderr().find("Registration " +
                                agent["authorization"]["clientId"].get<std::string>() +
                                " was not found.") != std::string::npos;
  })) << again->Stderr();
  EXPECT_EQ(again->Wait(std::chrono::seconds(3)), std::nullopt) << "it must not exit";
  EXPECT_NE(again->Stderr().find("Retrying until reconnected."), std::string::npos);
  again->Signal(SIGINT);
  EXPECT_EQ(again->Wait(), std::optional<int>(0));
}

// D2: without --startuptype service, the update script starts run.sh: a second listener.
TEST_F(SimDevOpsListenerFidelity, UpdateRestartsAnInteractiveListenerThroughRunSh) {
  ASSERT_EQ(Control("POST", "/_control/devops/packages",
                    {{"version", FAKE_AGENT_NEXT_VERSION}, {"path", FAKE_AGENT_NEXT_PACKAGE}})
                .status,
            200);
  for (const bool service : {false, true}) {
    const std::string name = service ? "service" : "interactive";
    nlohmann::json agent = PrepareAgent(name);
    const std::string root = RootOf(name);
    std::vector<std::string> args = {"run"};
    if (service) args.insert(args.end(), {"--startuptype", "service"});
    auto listener = ListenerProcess::Start(root, args, {{"AGENT_ALLOW_RUNASROOT", "1"}});
    ASSERT_TRUE(listener->WaitForStdout("Listening for Jobs")) << listener->Stderr();
    ASSERT_EQ(Control("POST", "/_control/devops/agent-refresh",
                      {{"agent_id", agent["id"]}, {"target_version", FAKE_AGENT_NEXT_VERSION}})
                  .status,
              200);
    EXPECT_EQ(listener->Wait(), std::optional<int>(3)) << listener->Stderr();
    // The new top-level scripts were copied into the root (SelfUpdater.cs:450-456).
    EXPECT_TRUE(fs::is_regular_file(root + "/run.sh"));
    if (service) {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      EXPECT_EQ(CountListeners(root), 0) << name;
    } else {
      EXPECT_TRUE(WaitUntil([&] { return CountListeners(root) == 1; })) << name;
      EXPECT_TRUE(WaitUntil([&] { return AgentState(agent["id"])["status"] == "online"; }));
      for (const pid_t pid : Listeners(root)) ::kill(pid, SIGKILL);
    }
  }
}

}  // namespace
}  // namespace agentboot::simdevops_test

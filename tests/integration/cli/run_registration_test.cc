// `agentboot run` keeps its registration against the faithful fake listener and simulator
// (agent-audit D3, D4, D8; security-review L1): an agent deleted through the REST API is
// registered again whenever it happens, a server that answers GETs without the agent's public
// key changes nothing, config.sh runs as root only where it should, and a session left behind
// by a killed listener is waited out.
#include <chrono>
#include <filesystem>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include "run_fixture.h"
#include <signal.h>

namespace agentboot::cli_test {
namespace {

namespace fs = std::filesystem;

class RunRegistration : public RunCommand {
 protected:
  // DELETE …/pools/1/agents/{id} with the administrator's (the simulated VM's) token, as an
  // admin or a cleanup script does.
  int RestDelete(int64_t agent_id) {
    const RunResult token = Agentboot({"token", "--raw"}, ImdsEnv());
    EXPECT_EQ(token.exit_code, 0) << token.err;
    Poco::URI uri(Var("AZP_URL") + "/_apis/distributedtask/pools/1/agents/" +
                  std::to_string(agent_id) + "?api-version=7.1");
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    Poco::Net::HTTPRequest request("DELETE", uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + Trim(token.out));
    request.set("X-TFS-FedAuthRedirect", "Suppress");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    return static_cast<int>(response.getStatus());
  }

  int64_t OnlineId(const std::string& name) {
    const auto agents = AgentsNamed(name);
    if (agents.size() != 1 || agents[0].value("status", "") != "online") return 0;
    return agents[0].value("id", int64_t{0});
  }

  // Queues a job and waits until it finished on agent `agent_id`.
  bool JobRunsOn(int64_t agent_id) {
    const int64_t request =
        Control("POST", "/devops/jobs", {{"pool", "Default"}, {"duration_ms", 300}})
            .value("request_id", int64_t{0});
    return Eventually(
        [&] {
          const auto job = Control("GET", "/devops/jobs/" + std::to_string(request));
          return job.value("state", "") == "completed" &&
                 job.value("agent_id", int64_t{0}) == agent_id;
        },
        std::chrono::seconds(45));
  }
};

// D3: at three different moments (right after the listener came online, while it idles in its
// long poll, right after a job), the agent is deleted through the REST API; every time a new
// registration with the same name runs the next job within a bounded time.
TEST_F(RunRegistration, AgentDeletedThroughTheRestApiIsRegisteredAgainEveryTime) {
  Start(RunArgs("phoenix", {"--agent-version", FAKE_AGENT_VERSION}));
  int64_t id = 0;
  ASSERT_TRUE(Eventually([&] { return (id = OnlineId("phoenix")) != 0; })) << Log();
  for (int round = 0; round < 3; ++round) {
    if (round == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (round == 2) {
      ASSERT_TRUE(JobRunsOn(id)) << Log();
    }
    ASSERT_EQ(RestDelete(id), 204) << "round " << round;
    const int64_t old_id = id;
    ASSERT_TRUE(Eventually(
        [&] {
          id = OnlineId("phoenix");
          return id != 0 && id != old_id;
        },
        std::chrono::seconds(45)))
        << "round " << round << "\n"
        << Log();
    ASSERT_TRUE(JobRunsOn(id)) << "round " << round << "\n" << Log();
  }
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(ListenersIn(temp_dir_ + "/phoenix"), 0);
}

// D4: a service whose GET answers carry no authorization.publicKey or authorizationUrl.
TEST_F(RunRegistration, EverythingWorksWhenGetAnswersOmitTheAgentsKey) {
  Control("POST", "/devops/settings", {{"omit_agent_authorization", true}});
  const std::string root = MakeAgentRoot("keyless");
  const std::vector<std::string> args = {"register", "--agent-dir", root, "--agent-name",
                                         "keyless"};
  ASSERT_EQ(Agentboot(args, ImdsEnv()).exit_code, 0);
  const RunResult twice = Agentboot(args, ImdsEnv());
  EXPECT_EQ(twice.exit_code, 0) << twice.err;
  EXPECT_NE(twice.out.find("unchanged"), std::string::npos) << twice.out;
  EXPECT_EQ(ListenerCheck(root), 0);

  // Key rotation with no agentboot running (the agent is offline).
  const RunResult rotated = Agentboot({"rotate", "--agent-dir", root}, ImdsEnv());
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_EQ(ListenerCheck(root), 0) << "the rotated key is not the registered one";

  // A crash right after every step of a fresh registration, then a plain rerun.
  for (int step = 1; step < 30; ++step) {
    const std::string name = "keyless-crash-" + std::to_string(step);
    const std::string crash_root = MakeAgentRoot(name);
    auto env = ImdsEnv();
    env["AGENTBOOT_TEST_CRASH_AFTER"] = std::to_string(step);
    const std::vector<std::string> crash_args = {"register", "--agent-dir", crash_root,
                                                 "--agent-name", name};
    if (Agentboot(crash_args, env).exit_code == 0) break;
    const RunResult rerun = Agentboot(crash_args, ImdsEnv());
    ASSERT_EQ(rerun.exit_code, 0) << "step " << step << ": " << rerun.err;
    EXPECT_EQ(AgentsNamed(name).size(), 1U) << "step " << step;
    EXPECT_EQ(ListenerCheck(crash_root), 0) << "step " << step;
  }

  // `run` starts twice on the same host; the second start finds its own agent.
  for (int start = 0; start < 2; ++start) {
    Start(RunArgs("keyless-run", {"--agent-version", FAKE_AGENT_VERSION, "--keep-registration"}));
    ASSERT_TRUE(Eventually([&] { return OnlineId("keyless-run") != 0; })) << Log();
    ::kill(pid_, SIGTERM);
    EXPECT_EQ(WaitExit(), 0) << "start " << start << "\n" << Log();
  }
  EXPECT_EQ(AgentsNamed("keyless-run").size(), 1U);
}

// D8: as root, config.sh runs (AGENT_ALLOW_RUNASROOT) in the agent root itself.
TEST_F(RunRegistration, ConfigScriptRunsAsRootInTheAgentRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "about running as root";
  // A root laid out by `run` (regular files, no links into the cache).
  QueueJob("succeeded");
  ASSERT_EQ(
      Agentboot(RunArgs("scripted", {"--agent-version", FAKE_AGENT_VERSION, "--once"}), RunEnv())
          .exit_code,
      0);
  const std::string root = temp_dir_ + "/scripted";
  const RunResult run =
      Agentboot({"register", "--registrar", "agent", "--agent-dir", root, "--agent-name",
                 "scripted", "--agent-version", FAKE_AGENT_VERSION},
                ImdsEnv());
  // The fake listener does not implement `configure`; it records how it was started.
  EXPECT_NE(run.exit_code, 0);
  const std::string record = ReadFile(root + "/.fake-configure");
  EXPECT_NE(record.find("uid=0\n"), std::string::npos) << run.err;
  EXPECT_NE(record.find("cwd=" + fs::canonical(root).string() + "\n"), std::string::npos) << record;
  EXPECT_NE(record.find("token_in_env=1"), std::string::npos) << record;
  EXPECT_EQ(run.err.find("Must not run with sudo"), std::string::npos) << run.err;

  // A config.sh that is a link is refused before anything runs.
  fs::remove(root + "/config.sh");
  fs::create_symlink("/bin/true", root + "/config.sh");
  const RunResult linked =
      Agentboot({"register", "--registrar", "agent", "--agent-dir", root, "--agent-name",
                 "scripted", "--agent-version", FAKE_AGENT_VERSION},
                ImdsEnv());
  EXPECT_NE(linked.exit_code, 0);
  EXPECT_NE(linked.err.find("config.sh is a link"), std::string::npos) << linked.err;
}

// L1: a SIGKILLed listener leaves its session behind; the next one meets the conflict until the
// service expires the session, and `run` waits that out instead of ending with exit 10.
TEST_F(RunRegistration, AKilledListenersStaleSessionIsWaitedOut) {
  Control("POST", "/devops/settings", {{"session_idle_ms", 4000}});
  extra_env_["FAKE_AGENT_SESSION_CONFLICT_LIMIT_MS"] = "1500";
  Start(RunArgs("stale", {"--agent-version", FAKE_AGENT_VERSION, "--restart-delay", "0.5"}));
  ASSERT_TRUE(Eventually([&] { return OnlineId("stale") != 0; })) << Log();
  const int before = CountInLog("listener started");
  int killed = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::error_code error;
    const auto exe = fs::read_symlink(entry.path() / "exe", error);
    if (error || exe.parent_path().parent_path() != fs::canonical(temp_dir_ + "/stale")) continue;
    ::kill(std::stoi(entry.path().filename().string()), SIGKILL);
    ++killed;
  }
  ASSERT_EQ(killed, 1);
  ASSERT_TRUE(
      Eventually([&] { return CountInLog("listener started") > before && OnlineId("stale") != 0; },
                 std::chrono::seconds(60)))
      << Log();
  EXPECT_EQ(WaitExit(std::chrono::seconds(1)), -1) << "run ended:\n" << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

// M9: Azure DevOps unreachable for longer than the old restart budget (5 restarts in 1+2+4+8+16 s)
// is not a crash loop: the listener retries its connection (MessageListener.cs:229-318) and
// agentboot, whose own checks see the outage, never counts it against the listener.
TEST_F(RunRegistration, AnAzureDevOpsOutageIsWaitedOutNotACrashLoop) {
  Start(RunArgs("outage", {"--agent-version", FAKE_AGENT_VERSION, "--max-restarts", "2",
                           "--restart-delay", "0.2"}));
  int64_t id = 0;
  ASSERT_TRUE(Eventually([&] { return (id = OnlineId("outage")) != 0; })) << Log();
  Control("POST", "/faults", {{"path_prefix", "/sim/"}, {"outage_seconds", 35}});
  std::this_thread::sleep_for(std::chrono::seconds(36));
  EXPECT_EQ(WaitExit(std::chrono::seconds(1)), -1) << "run ended during the outage:\n" << Log();
  EXPECT_TRUE(JobRunsOn(id)) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

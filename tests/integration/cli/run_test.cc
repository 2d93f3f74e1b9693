// `agentboot run` end to end: the real binary downloads the (fake) agent package from the
// simulator, registers, supervises the strict fake Agent.Listener and reacts to its exits.
// Waits are on observable events (simulator state, files) under one generous deadline.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include "run_fixture.h"
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace agentboot::cli_test {
namespace {

TEST_F(RunCommand, OnceRunsOneJobDeregistersAndExitsWithTheJobsResult) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"succeeded", 0},
      {"succeededWithIssues", kJobSucceededWithIssues},
      {"failed", kJobFailed},
      {"canceled", kJobCanceled}};
  for (const auto& [result, expected] : cases) {
    const std::string name = "eph-" + result;
    QueueJob(result);
    const RunResult run =
        Agentboot(RunArgs(name, {"--once", "--agent-version", FAKE_AGENT_VERSION}), RunEnv());
    EXPECT_EQ(run.exit_code, expected) << result << "\n" << run.err;
    EXPECT_TRUE(AgentsNamed(name).empty()) << "a --once agent must not stay registered";
    EXPECT_FALSE(PosixFileSystem().Exists(temp_dir_ + "/" + name + "/.credentials_rsaparams"));
  }
  // The package was downloaded once and then served from the cache.
  EXPECT_EQ(RequestCount("/_downloads/"), 1);
}

TEST_F(RunCommand, SecondStartUsesTheCacheWithZeroPackageTraffic) {
  QueueJob("succeeded");
  ASSERT_EQ(Agentboot(RunArgs("first", {"--once", "--agent-version", FAKE_AGENT_VERSION}), RunEnv())
                .exit_code,
            0);
  Control("DELETE", "/requests");
  QueueJob("succeeded");
  const RunResult second =
      Agentboot(RunArgs("second", {"--once", "--agent-version", FAKE_AGENT_VERSION}), RunEnv());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(RequestCount("/_downloads/"), 0);
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/packages"), 0);
  EXPECT_NE(second.err.find("source=cache"), std::string::npos) << second.err;
}

TEST_F(RunCommand, CrashingListenerIsRestartedThenTheCrashLoopStops) {
  // Every message poll is refused with a 401: VssUnauthorizedException is not retriable there,
  // so the real listener's exception ends the process with exit 2 (MessageListener.cs:434-450,
  // Program.cs:188-194) each time.
  Control("POST", "/faults",
          {{"path_prefix", "/sim/_apis/distributedtask/pools/1/messages"},
           {"method", "GET"},
           {"statuses", std::vector<int>(40, 401)}});
  const RunResult run =
      Agentboot(RunArgs("crashy", {"--agent-version", FAKE_AGENT_VERSION, "--max-restarts", "2",
                                   "--restart-delay", "0.2"}),
                RunEnv());
  EXPECT_EQ(run.exit_code, kCrashLoop) << run.err;
  EXPECT_EQ(RequestCount("/sim/_apis/distributedtask/pools/1/sessions", "POST"), 3)
      << "one launch and two restarts";
}

TEST_F(RunCommand, SelfUpdateMidLifeRelaunchesTheNewVersion) {
  // Not pinned: the listener may update itself (a pinned run sets agent.disableupdate). As root
  // with AGENT_ALLOW_RUNASROOT, the update script of a listener not started as a service would
  // also start run.sh: a second listener (agent-audit D2).
  extra_env_["AGENT_ALLOW_RUNASROOT"] = "1";
  Start(RunArgs("updating"));
  ASSERT_TRUE(Eventually([&] { return Online("updating"); })) << Log();
  EXPECT_EQ(AgentsNamed("updating")[0].value("version", ""), FAKE_AGENT_VERSION);
  const int agent_id = AgentsNamed("updating")[0].value("id", 0);
  // A newer agent is published while this one runs; the server then asks it to update.
  Control("POST", "/devops/packages",
          {{"version", FAKE_AGENT_NEXT_VERSION},
           {"platform", "linux-x64"},
           {"path", FAKE_AGENT_NEXT_PACKAGE}});
  Control("POST", "/devops/agent-refresh",
          {{"agent_id", agent_id}, {"target_version", FAKE_AGENT_NEXT_VERSION}});
  ASSERT_TRUE(Eventually([&] {
    const auto agents = AgentsNamed("updating");
    return agents.size() == 1 && agents[0].value("version", "") == FAKE_AGENT_NEXT_VERSION &&
           agents[0].value("status", "") == "online";
  })) << Log();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // time for a run.sh to start one
  EXPECT_EQ(ListenersIn(temp_dir_ + "/updating"), 1) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_GE(CountInLog("listener started"), 2) << Log();
  // The layout after the update: the root's own versions, nothing pointing into the cache.
  EXPECT_EQ(std::filesystem::canonical(temp_dir_ + "/updating/bin").parent_path(),
            std::filesystem::canonical(temp_dir_ + "/updating"));
}

TEST_F(RunCommand, AgentDeletedOnTheServerIsRegisteredAgainAndRelaunched) {
  Start(RunArgs("phoenix", {"--agent-version", FAKE_AGENT_VERSION}));
  ASSERT_TRUE(Eventually([&] { return Online("phoenix"); })) << Log();
  const int first_id = AgentsNamed("phoenix")[0].value("id", 0);
  ASSERT_EQ(Agentboot({"unregister", "--agent-name", "phoenix", "--agent-dir", temp_dir_ + "/none"},
                      RunEnv())
                .exit_code,
            0);
  ASSERT_TRUE(Eventually([&] {
    const auto agents = AgentsNamed("phoenix");
    return agents.size() == 1 && agents[0].value("id", 0) != first_id &&
           agents[0].value("status", "") == "online";
  })) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

TEST_F(RunCommand, StopWithSigtermStopsTheListenerWithSigint) {
  Start(RunArgs("stopper", {"--agent-version", FAKE_AGENT_VERSION, "--keep-registration"}));
  ASSERT_TRUE(Eventually([&] { return Online("stopper"); })) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  // The listener deleted its session on the way out: the agent is offline, not killed mid-poll.
  EXPECT_TRUE(Eventually([&] {
    const auto agents = AgentsNamed("stopper");
    return agents.size() == 1 && agents[0].value("status", "") == "offline";
  })) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

namespace agentboot::cli_test {
namespace {

// The uid of the listener running under `root` (`Agent.Listener run`, not the `--version` query
// made while preparing the package), found through /proc; -1 when none runs.
int ListenerUid(const std::string& root) {
  const std::string wanted = root + "/bin/Agent.Listener" + std::string(1, '\0') + "run";
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (text.rfind(wanted, 0) != 0) continue;
    std::ifstream status(entry.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) return std::stoi(line.substr(4));
    }
  }
  return -1;
}

TEST_F(RunCommand, RunAsDropsTheListenerToAnUnprivilegedUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to change users";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  std::filesystem::permissions(temp_dir_, std::filesystem::perms(0755));
  const std::string root = temp_dir_ + "/dropped";
  QueueJob("succeeded", 3000);
  Start(
      RunArgs("dropped", {"--once", "--run-as", "nobody", "--agent-version", FAKE_AGENT_VERSION}));
  int uid = -1;
  ASSERT_TRUE(Eventually([&] {
    uid = ListenerUid(root);
    return uid >= 0;
  })) << Log();
  EXPECT_EQ(uid, static_cast<int>(nobody->pw_uid));
  // The root and the configuration stay root's (the listener reads it through its group); it
  // owns only what it writes (agent-audit D5: a root-owned _diag made it abort).
  struct stat info {};
  ASSERT_EQ(::stat(root.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0U);
  ASSERT_EQ(::stat((root + "/.credentials_rsaparams").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0U);
  EXPECT_EQ(info.st_gid, nobody->pw_gid);
  EXPECT_EQ(info.st_mode & 0777U, 0640U);
  ASSERT_EQ(::stat((root + "/_diag").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, nobody->pw_uid);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

namespace agentboot::cli_test {
namespace {

// GET http://127.0.0.1:<port><path>: status and body.
std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return {static_cast<int>(response.getStatus()), body};
  } catch (const Poco::Exception&) {
    return {0, ""};
  }
}

TEST_F(RunCommand, HealthEndpointsReportALiveReadyAgentAndParseableMetrics) {
  Start(RunArgs("healthy",
                {"--agent-version", FAKE_AGENT_VERSION, "--health-listen", "127.0.0.1:0"}));
  int port = 0;
  ASSERT_TRUE(Eventually([&] {
    const std::string log = Log();
    const size_t at = log.find("health endpoint listening");
    if (at == std::string::npos) return false;
    const size_t p = log.find("port=", at);
    port = p == std::string::npos ? 0 : std::atoi(log.c_str() + p + 5);
    return port > 0;
  })) << Log();
  ASSERT_TRUE(Eventually([&] { return HttpGet(port, "/readyz").first == 200; })) << Log();
  EXPECT_EQ(HttpGet(port, "/healthz").first, 200);
  const auto metrics = HttpGet(port, "/metrics");
  EXPECT_EQ(metrics.first, 200);
  EXPECT_NE(metrics.second.find("agentboot_up 1"), std::string::npos) << metrics.second;
  EXPECT_NE(metrics.second.find("agentboot_listener_state{state=\"running\"} 1"), std::string::npos)
      << metrics.second;

  // Draining: alive, but not ready (it takes no new job), and the state says so.
  Control("POST", "/devops/jobs", {{"pool", "Default"}, {"duration_ms", 60000}});
  // Running on the listener, not only assigned on the server: a listener stopped before it got
  // the message would leave the job assigned to a deleted session until its lock expires.
  ASSERT_TRUE(Eventually([&] {
    return Control("GET", "/devops/jobs")["jobs"][0].value("state", "") == "running" &&
           CountInLog("Running job:") > 0;
  })) << Log();
  ::kill(pid_, SIGTERM);
  ASSERT_TRUE(Eventually([&] { return HttpGet(port, "/readyz").first == 503; })) << Log();
  EXPECT_NE(HttpGet(port, "/readyz").second.find("draining: SIGTERM"), std::string::npos);
  EXPECT_EQ(HttpGet(port, "/healthz").first, 200);
  EXPECT_NE(HttpGet(port, "/metrics").second.find("agentboot_listener_state{state=\"draining\"} 1"),
            std::string::npos);
  // The second one, past the 2 s in which a repeat is the same request, stops the listener now.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

// Issue 15 item 7: stop signals other than one SIGTERM. A SIGTERM repeated within the window is
// the same request (GNU timeout sends it twice) and the job still drains; a SIGTERM that reaches
// the listener directly as well (systemd KillMode=control-group) is reported as the cancellation
// it is, with exit code 23, not as a clean drain.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_fixture.h"

namespace agentboot::cli_test {
namespace {

class RunSignals : public RunCommand {
 protected:
  json Job(size_t index) {
    const json body = Control("GET", "/devops/jobs");
    if (!body.contains("jobs") || index >= body["jobs"].size()) return json();
    return body["jobs"][index];
  }
  std::vector<std::string> Args(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--agent-version", FAKE_AGENT_VERSION, "--drain-poll", "0.3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunArgs(name, args);
  }
  // The pid of `Agent.Listener run` under `root`, or -1.
  static int ListenerPid(const std::string& root) {
    const std::string wanted = root + "/bin/Agent.Listener";
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "cmdline");
      std::string argv0;
      std::getline(in, argv0, '\0');
      if (argv0 == wanted) return std::stoi(pid);
    }
    return -1;
  }
  // The log's line that holds `needle`, or "".
  std::string LogLineWith(const std::string& needle) const {
    std::istringstream lines(Log());
    for (std::string line; std::getline(lines, line);) {
      if (line.find(needle) != std::string::npos) return line;
    }
    return "";
  }
  // A job of `ms` milliseconds running on the listener, not only assigned on the server.
  void StartWithARunningJob(const std::string& name, int ms) {
    QueueJob("succeeded", ms);
    Start(Args(name));
    ASSERT_TRUE(Eventually([&] {
      return Job(0).value("state", "") == "running" && CountInLog("Running job:") > 0;
    })) << Log();
  }
};

TEST_F(RunSignals, SigtermTwiceWithinTheWindowStillDrains) {
  StartWithARunningJob("twice", 4000);
  ::kill(pid_, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // as timeout(1) does
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "succeeded") << "the job was let finish: " << Log();
  EXPECT_NE(Log().find("stop signal repeated: the same request"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("second stop signal"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("JOB CANCELLED"), std::string::npos) << Log();
  EXPECT_TRUE(AgentsNamed("twice").empty());
}

TEST_F(RunSignals, SigtermToAgentbootAndTheListenerReportsTheCancelledJob) {
  StartWithARunningJob("cgroup", 60000);
  const int listener = ListenerPid(temp_dir_ + "/cgroup");
  ASSERT_GT(listener, 0) << Log();
  // systemd's default KillMode=control-group: every process of the unit at once.
  ::kill(pid_, SIGTERM);
  ::kill(listener, SIGTERM);
  EXPECT_EQ(WaitExit(), kJobCanceled) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "canceled") << Log();
  EXPECT_NE(Log().find("JOB CANCELLED: the listener got SIGTERM directly"), std::string::npos)
      << Log();
  EXPECT_NE(Log().find("job_cancelled=true"), std::string::npos) << Log();
  // The drain reports only what it cancelled itself (nothing: the listener's own SIGTERM did), in
  // words that do not contradict the JOB CANCELLED line.
  const std::string drained = LogLineWith("drain finished");
  EXPECT_NE(drained.find(" drain_cancelled_job=false"), std::string::npos) << Log();
  EXPECT_EQ(drained.find(" job_cancelled="), std::string::npos) << Log();
  EXPECT_EQ(Log().find("job_cancelled=false"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("restarting after back-off"), std::string::npos)
      << "a listener stopped from outside is not started again: " << Log();
  EXPECT_TRUE(AgentsNamed("cgroup").empty()) << "the drain still removes the agent";
}

TEST_F(RunSignals, SigtermToTheOnceListenerIsTheJobsCancellation) {
  QueueJob("succeeded", 60000);
  Start(Args("oncecg", {"--once"}));
  ASSERT_TRUE(Eventually([&] {
    return Job(0).value("state", "") == "running" && CountInLog("Running job:") > 0;
  })) << Log();
  const int listener = ListenerPid(temp_dir_ + "/oncecg");
  ASSERT_GT(listener, 0) << Log();
  ::kill(pid_, SIGTERM);
  ::kill(listener, SIGTERM);
  EXPECT_EQ(WaitExit(), kJobCanceled) << Log();
  EXPECT_NE(Log().find("JOB CANCELLED"), std::string::npos) << Log();
  EXPECT_TRUE(AgentsNamed("oncecg").empty());
}

}  // namespace
}  // namespace agentboot::cli_test

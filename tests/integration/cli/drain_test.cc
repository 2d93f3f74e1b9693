// Drain and key rotation end to end: the real agentboot, the strict fake listener and the
// simulator's jobs, scheduled events and fault injection.
#include <filesystem>

#include <Poco/URI.h>

#include "run_fixture.h"
#include <pwd.h>
#include <sys/stat.h>

namespace agentboot::cli_test {
namespace {

class Drain : public RunCommand {
 protected:
  std::vector<json> Jobs() {
    const json body = Control("GET", "/devops/jobs");
    return body.contains("jobs") ? body["jobs"].get<std::vector<json>>() : std::vector<json>{};
  }
  json Job(size_t index) {
    const auto jobs = Jobs();
    return index < jobs.size() ? jobs[index] : json();
  }
  bool JobIs(size_t index, const std::string& state) {
    return Job(index).value("state", "") == state;
  }
  std::vector<std::string> Args(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--agent-version", FAKE_AGENT_VERSION, "--drain-poll", "0.3"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunArgs(name, args);
  }
  bool Gone(const std::string& name) { return AgentsNamed(name).empty(); }
};

TEST_F(Drain, SigtermDuringAJobThatFitsLetsItFinishThenRemovesTheAgent) {
  QueueJob("succeeded", 4000);
  Start(Args("fits", {"--drain-timeout", "60"}));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  ::kill(pid_, SIGTERM);
  // Disabled at once: a job queued now is not given to the draining agent.
  ASSERT_TRUE(Eventually([&] {
    const auto agents = AgentsNamed("fits");
    return agents.size() == 1 && !agents[0].value("enabled", true);
  })) << Log();
  QueueJob("succeeded", 500);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "succeeded") << Log();
  EXPECT_EQ(Job(1).value("state", ""), "queued");
  EXPECT_TRUE(Gone("fits"));
  EXPECT_FALSE(std::filesystem::exists(temp_dir_ + "/fits/.credentials_rsaparams"));
  EXPECT_NE(Log().find("draining the agent"), std::string::npos);
  EXPECT_NE(Log().find("waiting for the running job to finish"), std::string::npos);
  EXPECT_EQ(Log().find("JOB CANCELLED"), std::string::npos) << Log();
}

TEST_F(Drain, SigtermDuringAJobLongerThanTheTimeoutCancelsItAndSaysSo) {
  QueueJob("succeeded", 60000);
  Start(Args("too-long", {"--drain-timeout", "2"}));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "canceled") << Log();
  EXPECT_NE(Log().find("JOB CANCELLED: the drain deadline came while a job was still running"),
            std::string::npos)
      << Log();
  EXPECT_TRUE(Gone("too-long"));
}

TEST_F(Drain, ASecondSigtermSkipsToStoppingTheListener) {
  QueueJob("succeeded", 60000);
  Start(Args("hurried", {"--drain-timeout", "600"}));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  ::kill(pid_, SIGTERM);
  ASSERT_TRUE(Eventually([&] { return Log().find("draining the agent") != std::string::npos; }));
  // Past the 2 s in which a repeated signal is the same request (supervisor::StopSignals).
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(std::chrono::seconds(30)), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "canceled");
  EXPECT_NE(Log().find("a second stop signal"), std::string::npos) << Log();
  EXPECT_TRUE(Gone("hurried"));
}

TEST_F(Drain, KeepRegistrationLeavesTheAgentEnabledAndOffline) {
  Start(Args("keeper", {"--keep-registration"}));
  ASSERT_TRUE(Eventually([&] { return Online("keeper"); })) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  const auto agents = AgentsNamed("keeper");
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_TRUE(agents[0].value("enabled", false));
  EXPECT_TRUE(
      Eventually([&] { return AgentsNamed("keeper")[0].value("status", "") == "offline"; }));
  EXPECT_TRUE(std::filesystem::exists(temp_dir_ + "/keeper/.credentials_rsaparams"));
}

TEST_F(Drain, AScheduledTerminateDrainsRemovesAndAcknowledgesBeforeNotBefore) {
  QueueJob("succeeded", 3000);
  Start(Args("doomed"));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  // A reboot is only logged; a Terminate of another VM is ignored; this VM's Terminate drains.
  Control("POST", "/scheduled-events", {{"EventType", "Reboot"}});
  Control("POST", "/scheduled-events",
          {{"EventType", "Terminate"}, {"Resources", {"some-other-vm"}}});
  const json event = Control("POST", "/scheduled-events",
                             {{"EventType", "Terminate"}, {"not_before_seconds", 120}});
  const std::string id = event.value("EventId", "");
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "succeeded") << Log();
  EXPECT_TRUE(Gone("doomed"));
  const json state = Control("GET", "/scheduled-events");
  ASSERT_EQ(state["acks"].size(), 1u) << state.dump();
  EXPECT_EQ(state["acks"][0].value("EventId", ""), id);
  // Acknowledged: Azure may go ahead now instead of at NotBefore (two minutes away).
  for (const auto& e : state["document"]["Events"]) {
    if (e.value("EventId", "") == id) {
      EXPECT_EQ(e.value("EventStatus", ""), "Started");
    }
  }
  EXPECT_NE(Log().find("scheduled event (no drain needed)"), std::string::npos) << Log();
  EXPECT_NE(Log().find("scheduled event Terminate"), std::string::npos) << Log();
}

TEST_F(Drain, AnIdentityOutageDuringTheDrainLosesNothing) {
  QueueJob("succeeded", 4000);
  Start(Args("outage", {"--drain-timeout", "120"}));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  // IMDS stops issuing tokens for two hours, and Azure DevOps fails the next writes for a while.
  Control("POST", "/faults", {{"path_prefix", "/metadata/identity"}, {"outage_seconds", 7200}});
  const std::string agents =
      Poco::URI(Var("AZP_URL")).getPath() + "/_apis/distributedtask/pools/1/agents";
  Control("POST", "/faults",
          {{"method", "PATCH"},
           {"path_prefix", agents},
           {"outage_seconds", 3},
           {"outage_status", 503}});
  Control("POST", "/faults",
          {{"method", "DELETE"}, {"path_prefix", agents}, {"statuses", {503, 503, 503, 503}}});
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "succeeded") << Log();
  EXPECT_TRUE(Gone("outage")) << Log();
  // The failed writes were retried, with the token cached before the outage.
  EXPECT_NE(Log().find("call=\"PATCH _apis/distributedtask/pools/1/agents/"), std::string::npos)
      << Log();
  EXPECT_NE(Log().find("call=\"DELETE _apis/distributedtask/pools/1/agents/"), std::string::npos)
      << Log();
}

TEST_F(Drain, TheDrainCommandAsksTheRunningAgentbootAndWaitsForIt) {
  Start(Args("asked"));
  ASSERT_TRUE(Eventually([&] { return Online("asked"); })) << Log();
  const RunResult drained = Agentboot({"drain", "--agent-dir", temp_dir_ + "/asked"}, ImdsEnv());
  EXPECT_EQ(drained.exit_code, 0) << drained.err;
  EXPECT_NE(drained.out.find("drained"), std::string::npos) << drained.out;
  // What the run's status file said about its drain.
  EXPECT_NE(drained.out.find("(agent removed)"), std::string::npos) << drained.out;
  EXPECT_EQ(WaitExit(std::chrono::seconds(5)), 0) << Log();  // already gone
  EXPECT_TRUE(Gone("asked"));
  const json status = json::parse(ReadFile(temp_dir_ + "/asked/.agentboot.status"));
  EXPECT_EQ(status["phase"], "stopped") << status.dump();
  EXPECT_EQ(status["drain"]["state"], "finished");
  EXPECT_EQ(status["drain"]["step"], "done");
  EXPECT_EQ(status["drain"]["reason"], "SIGTERM");
  EXPECT_TRUE(status["drain"]["ok"].get<bool>());
  EXPECT_TRUE(status["drain"]["deadline"].is_string());
  EXPECT_EQ(status["listener"]["pid"], 0);
  // A second agentboot on the same root is refused while one runs; none runs now.
  const RunResult again = Agentboot({"drain", "--agent-dir", temp_dir_ + "/asked"}, ImdsEnv());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to drain"), std::string::npos) << again.out;
}

TEST_F(Drain, ASecondRunOrAnUnregisterOnARunningAgentDirIsRefused) {
  Start(Args("single"));
  ASSERT_TRUE(Eventually([&] { return Online("single"); })) << Log();
  const RunResult second = Agentboot(Args("single"), ImdsEnv());
  EXPECT_EQ(second.exit_code, 8) << second.err;
  EXPECT_NE(second.err.find("another agentboot already runs this agent"), std::string::npos)
      << second.err;
  // Nor may unregister pull the agent from under it: drain is the way out.
  const RunResult removed =
      Agentboot({"unregister", "--agent-dir", temp_dir_ + "/single"}, ImdsEnv());
  EXPECT_EQ(removed.exit_code, 8) << removed.err;
  EXPECT_NE(removed.err.find("agentboot drain"), std::string::npos) << removed.err;
  EXPECT_TRUE(Online("single"));
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

TEST_F(Drain, RotationWhileJobsKeepComingLosesNoJobAndRetiresTheOldKey) {
  Start(Args("rotor"));
  ASSERT_TRUE(Eventually([&] { return Online("rotor"); })) << Log();
  const std::string root = temp_dir_ + "/rotor";
  const std::string old_key = ReadFile(root + "/.credentials_rsaparams");
  for (int i = 0; i < 3; ++i) QueueJob("succeeded", 800);
  const RunResult rotated = Agentboot({"rotate", "--agent-dir", root, "--wait", "60"}, ImdsEnv());
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err << Log();
  for (int i = 0; i < 3; ++i) QueueJob("succeeded", 800);
  ASSERT_TRUE(Eventually([&] {
    const auto jobs = Jobs();
    if (jobs.size() != 6) return false;
    for (const auto& job : jobs) {
      if (job.value("state", "") != "completed") return false;
    }
    return true;
  })) << Control("GET", "/devops/jobs").dump()
      << Log();
  for (const auto& job : Jobs()) EXPECT_EQ(job.value("result", ""), "succeeded") << job.dump();
  EXPECT_NE(ReadFile(root + "/.credentials_rsaparams"), old_key);
  EXPECT_TRUE(Online("rotor"));
  EXPECT_TRUE(AgentsNamed("rotor")[0].value("enabled", false));
  // The old key no longer authenticates; the new one does.
  const std::string stale = MakeAgentRoot("stale");
  const std::string fresh = MakeAgentRoot("fresh");
  for (const std::string file : {".agent", ".credentials"}) {
    std::filesystem::copy_file(root + "/" + file, stale + "/" + file);
    std::filesystem::copy_file(root + "/" + file, fresh + "/" + file);
  }
  std::filesystem::copy_file(root + "/.credentials_rsaparams", fresh + "/.credentials_rsaparams");
  std::ofstream(stale + "/.credentials_rsaparams") << old_key;
  EXPECT_NE(ListenerCheck(stale), 0);
  EXPECT_EQ(ListenerCheck(fresh), 0);
  EXPECT_NE(Log().find("key rotated; relaunching the listener"), std::string::npos) << Log();
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

TEST_F(Drain, RotateReportsWhyTheRunningAgentbootPostponedTheRotation) {
  QueueJob("succeeded", 60000);
  Start(Args("postponed", {"--drain-timeout", "2"}));
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "running"); })) << Log();
  const std::string root = temp_dir_ + "/postponed";
  const std::string old_key = ReadFile(root + "/.credentials_rsaparams");
  const RunResult rotated = Agentboot({"rotate", "--agent-dir", root, "--wait", "60"}, ImdsEnv());
  // A rotation never cancels a job: the run gave up waiting after its drain timeout, said so in
  // its status file, and `rotate` passes that on instead of waiting for a key that never comes.
  EXPECT_EQ(rotated.exit_code, 9) << rotated.out << rotated.err << Log();
  EXPECT_NE(rotated.err.find("the rotation was postponed: a job is still running"),
            std::string::npos)
      << rotated.err;
  EXPECT_EQ(ReadFile(root + "/.credentials_rsaparams"), old_key);
  EXPECT_TRUE(JobIs(0, "running")) << Log();
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

TEST_F(Drain, ARotatedKeyUnderRunAsIsSharedWithTheListenersGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to change users";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user 'nobody'";
  std::filesystem::permissions(temp_dir_, std::filesystem::perms(0755));
  const std::string root = temp_dir_ + "/rotor-nobody";
  Start(Args("rotor-nobody", {"--run-as", "nobody"}));
  ASSERT_TRUE(Eventually([&] { return Online("rotor-nobody"); })) << Log();
  const json before = json::parse(ReadFile(root + "/.agentboot.status"));
  const RunResult rotated = Agentboot({"rotate", "--agent-dir", root, "--wait", "60"}, ImdsEnv());
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err << Log();
  EXPECT_NE(rotated.out.find("was relaunched with it"), std::string::npos) << rotated.out;
  // `rotate` returns only after the run said so in its status file: the key is already root's
  // and shared with the listener's group (README, "Ownership under --run-as"), no waiting here.
  struct stat key {};
  ASSERT_EQ(::stat((root + "/.credentials_rsaparams").c_str(), &key), 0);
  EXPECT_EQ(key.st_uid, 0u);
  EXPECT_EQ(key.st_gid, nobody->pw_gid);
  EXPECT_EQ(key.st_mode & 0777U, 0640U);
  // ... and a new listener was launched with the new key generation.
  const json after = json::parse(ReadFile(root + "/.agentboot.status"));
  EXPECT_EQ(after["rotation"]["last_result"], "rotated") << after.dump();
  EXPECT_EQ(after["rotation"]["generation"], before["rotation"]["generation"].get<int>() + 1);
  EXPECT_EQ(after["listener"]["key_generation"], after["rotation"]["generation"]);
  EXPECT_NE(after["listener"]["pid"], 0);
  EXPECT_NE(after["listener"]["pid"], before["listener"]["pid"]);
  EXPECT_GT(after["listener"]["launches"].get<int>(), before["listener"]["launches"].get<int>());
  // The status file itself is root's and nobody else's to write.
  struct stat status {};
  ASSERT_EQ(::lstat((root + "/.agentboot.status").c_str(), &status), 0);
  EXPECT_TRUE(S_ISREG(status.st_mode));
  EXPECT_EQ(status.st_uid, 0u);
  EXPECT_EQ(status.st_mode & 0777U, 0644U);
  // The relaunched listener, running as nobody, reads the new key and takes a job with it.
  QueueJob("succeeded", 500);
  ASSERT_TRUE(Eventually([&] { return JobIs(0, "completed"); })) << Log();
  EXPECT_EQ(Job(0).value("result", ""), "succeeded");
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

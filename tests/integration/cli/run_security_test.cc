// `agentboot run` against the attacks and faults of the security review (network, process and
// input part): what the listener inherits (M4, L3, L4), stop signals before the listener starts
// (M8), a stopped listener in the health probes (L12) and hostile names and capabilities (L2, L9).
#include <cstdlib>
#include <set>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include "run_fixture.h"
#include <pwd.h>

namespace agentboot::cli_test {
namespace {

enum { kUsage = 2, kStopped = 18 };

using Vars = std::map<std::string, std::string>;

std::string ReadProc(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class RunSecurity : public RunCommand {
 protected:
  // As RunCommand::Start, with `extra` added to agentboot's environment.
  void StartWith(const std::vector<std::string>& args, const Vars& extra) {
    log_path_ = temp_dir_ + "/agentboot.log";
    std::vector<std::string> argv = {AGENTBOOT_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (auto& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    Vars env = {{"PATH", "/usr/bin:/bin"}, {"HOME", temp_dir_}};
    for (const auto& [key, value] : ImdsEnv()) env[key] = value;
    for (const auto& [key, value] : extra) env[key] = value;
    std::vector<std::string> env_strings;
    for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
  }

  // The pid of `Agent.Listener run` under `root`, or -1.
  static int ListenerPid(const std::string& root) {
    const std::string wanted = root + "/bin/Agent.Listener" + std::string(1, '\0') + "run";
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (ReadProc(entry.path() / "cmdline").rfind(wanted, 0) == 0) return std::stoi(pid);
    }
    return -1;
  }

  static Vars Environ(int pid) {
    Vars vars;
    const std::string text = ReadProc("/proc/" + std::to_string(pid) + "/environ");
    for (const std::string& entry : Split(text, '\0')) {
      const size_t eq = entry.find('=');
      if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return vars;
  }

  // fd number -> link target ("socket:[123]", "pipe:[45]", a path) of `pid`.
  static std::map<int, std::string> Descriptors(int pid) {
    std::map<int, std::string> fds;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
      const auto target = std::filesystem::read_symlink(entry.path(), error);
      if (!error) fds[std::stoi(entry.path().filename().string())] = target.string();
    }
    return fds;
  }

  int HealthPort() {
    int port = 0;
    EXPECT_TRUE(Eventually([&] {
      const std::string log = Log();
      const size_t at = log.find("health endpoint listening");
      const size_t p = at == std::string::npos ? at : log.find("port=", at);
      port = p == std::string::npos ? 0 : std::atoi(log.c_str() + p + 5);
      return port > 0;
    })) << Log();
    return port;
  }

  static int Probe(int port, const std::string& path) {
    try {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setTimeout(Poco::Timespan(2, 0));
      Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(request);
      Poco::Net::HTTPResponse response;
      session.receiveResponse(response);
      return static_cast<int>(response.getStatus());
    } catch (const Poco::Exception&) {
      return 0;
    }
  }

  // SIGTERM, then the exit code and how long it took.
  std::pair<int, std::chrono::milliseconds> StopNow() {
    const auto start = Clock::now();
    ::kill(pid_, SIGTERM);
    const int code = WaitExit(std::chrono::seconds(30));
    return {code, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
  }
};

// M4 (cases A8, E6, F7) and L3 (A6c): with the health endpoint on, the listener holds no
// descriptor agentboot has (the health socket, HTTP connections, the lock), and none of the
// secrets in agentboot's environment; what --env names does arrive.
TEST_F(RunSecurity, ListenerInheritsNoDescriptorAndNoSecretFromAgentboot) {
  const Vars secrets = {{"AZURE_DEVOPS_EXT_PAT", "pat-value"},
                        {"GITHUB_TOKEN", "ghp_value"},
                        {"ARM_ACCESS_KEY", "arm-value"},
                        {"HTTPS_PROXY", "http://user:pass@127.0.0.1:9"},
                        {"OPERATOR_TOOL", "wanted"}};
  StartWith(RunArgs("inherit", {"--agent-version", FAKE_AGENT_VERSION, "--health-listen",
                                "127.0.0.1:0", "--env", "OPERATOR_TOOL", "--env", "GIVEN=1"}),
            secrets);
  const int port = HealthPort();
  ASSERT_GT(port, 0);
  const std::string root = temp_dir_ + "/inherit";
  int listener = -1;
  ASSERT_TRUE(Eventually([&] {
    listener = ListenerPid(root);
    return listener > 0 && Online("inherit");
  })) << Log();

  std::set<std::string> ours;  // agentboot's sockets, pipes and anonymous inodes
  for (const auto& [fd, target] : Descriptors(pid_)) {
    if (target.find(':') != std::string::npos && target[0] != '/') ours.insert(target);
  }
  ASSERT_FALSE(ours.empty());
  for (const auto& [fd, target] : Descriptors(listener)) {
    if (fd <= 2) continue;  // its own stdin (/dev/null) and output pipes
    EXPECT_EQ(ours.count(target), 0U) << "the listener inherited fd " << fd << " " << target;
    EXPECT_EQ(target.find(".agentboot."), std::string::npos) << fd << " " << target;
  }
  EXPECT_EQ(Probe(port, "/healthz"), 200);

  const Vars env = Environ(listener);
  for (const char* name : {"AZURE_DEVOPS_EXT_PAT", "GITHUB_TOKEN", "ARM_ACCESS_KEY", "HTTPS_PROXY",
                           "AZURE_CLIENT_SECRET"}) {
    EXPECT_EQ(env.count(name), 0U) << name;
  }
  for (const auto& [name, value] : env) {
    EXPECT_EQ(value.find("pass@"), std::string::npos) << name;
    EXPECT_EQ(value.find("pat-value"), std::string::npos) << name;
  }
  EXPECT_EQ(env.count("OPERATOR_TOOL") ? env.at("OPERATOR_TOOL") : "", "wanted");
  EXPECT_EQ(env.count("GIVEN") ? env.at("GIVEN") : "", "1");
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

// L4 (case A14): a --run-as listener has its user's HOME, USER and LOGNAME, not root's.
TEST_F(RunSecurity, RunAsListenerGetsTheUsersOwnHomeAndName) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create and change users";
  const std::string user = "ab_secnet_1";
  if (::getpwnam(user.c_str()) == nullptr) {
    const std::string add =
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin useradd --create-home --shell /bin/sh " + user;
    ASSERT_EQ(std::system(add.c_str()), 0) << "useradd " << user;  // NOLINT(cert-env33-c)
  }
  const passwd* entry = ::getpwnam(user.c_str());
  ASSERT_NE(entry, nullptr);
  const std::string home = entry->pw_dir;
  std::filesystem::permissions(temp_dir_, std::filesystem::perms(0755));
  const std::string root = temp_dir_ + "/runas";
  QueueJob("succeeded", 3000);
  StartWith(RunArgs("runas", {"--once", "--run-as", user, "--agent-version", FAKE_AGENT_VERSION}),
            {{"HOME", "/root"}, {"USER", "root"}, {"LOGNAME", "root"}});
  int listener = -1;
  ASSERT_TRUE(Eventually([&] {
    listener = ListenerPid(root);
    return listener > 0 && !Environ(listener).empty();
  })) << Log();
  const Vars env = Environ(listener);
  EXPECT_EQ(env.count("HOME") ? env.at("HOME") : "", home);
  EXPECT_EQ(env.count("USER") ? env.at("USER") : "", user);
  EXPECT_EQ(env.count("LOGNAME") ? env.at("LOGNAME") : "", user);
  EXPECT_EQ(env.count("PATH") ? env.at("PATH").find("/root") : 0, std::string::npos);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

// L12 (case F2): while the listener is SIGSTOPped, /healthz and /readyz say so; SIGCONT heals.
TEST_F(RunSecurity, StoppedListenerFailsTheProbesUntilItContinues) {
  StartWith(RunArgs("frozen", {"--agent-version", FAKE_AGENT_VERSION, "--health-listen",
                               "127.0.0.1:0", "--keep-registration"}),
            {});
  const int port = HealthPort();
  ASSERT_GT(port, 0);
  ASSERT_TRUE(Eventually([&] { return Probe(port, "/readyz") == 200; })) << Log();
  const int listener = ListenerPid(temp_dir_ + "/frozen");
  ASSERT_GT(listener, 0);
  ASSERT_EQ(::kill(listener, SIGSTOP), 0);
  EXPECT_TRUE(Eventually([&] { return Probe(port, "/healthz") == 503; }, std::chrono::seconds(5)));
  EXPECT_EQ(Probe(port, "/readyz"), 503);
  ASSERT_EQ(::kill(listener, SIGCONT), 0);
  EXPECT_TRUE(Eventually([&] { return Probe(port, "/healthz") == 200; }, std::chrono::seconds(5)));
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

// M8 (cases F3b, D11a): SIGTERM while IMDS answers 410 + Retry-After: 999999 ends the run in a
// moment with exit 15, and nothing is registered or written.
TEST_F(RunSecurity, SigtermDuringTheIdentityWaitExitsAtOnce) {
  Control("POST", "/faults",
          {{"path_prefix", "/metadata/identity"},
           {"outage_seconds", 3600},
           {"outage_status", 410},
           {"headers", {{"Retry-After", "999999"}}}});
  StartWith(RunArgs("early", {"--agent-version", FAKE_AGENT_VERSION}), {});
  ASSERT_TRUE(Eventually([&] {
    return Log().find("retrying the identity endpoint") != std::string::npos;
  })) << Log();
  const auto [code, took] = StopNow();
  EXPECT_EQ(code, kStopped) << Log();
  EXPECT_LT(took, std::chrono::seconds(3)) << Log();
  EXPECT_NE(Log().find("stopped by SIGTERM"), std::string::npos) << Log();
  EXPECT_TRUE(AgentsNamed("early").empty());
  EXPECT_FALSE(std::filesystem::exists(temp_dir_ + "/early/.credentials"));
}

// M8: SIGTERM while the identity endpoint takes 30 s to answer abandons the request.
TEST_F(RunSecurity, SigtermDuringASlowIdentityAnswerExitsAtOnce) {
  Control("POST", "/faults", {{"path_prefix", "/metadata/identity"}, {"latency_ms", 8000}});
  // --verbose logs each identity call as it starts (the simulator logs a request when answered).
  StartWith(RunArgs("slow", {"--agent-version", FAKE_AGENT_VERSION, "--verbose"}), {});
  ASSERT_TRUE(Eventually([&] {
    return Log().find("calling the identity endpoint") != std::string::npos;
  })) << Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto [code, took] = StopNow();
  EXPECT_EQ(code, kStopped) << Log();
  EXPECT_LT(took, std::chrono::seconds(4)) << Log();
  EXPECT_TRUE(AgentsNamed("slow").empty());
}

// M8 (case F3): a stop during registration lets the registration finish, starts no listener
// and deletes the --once agent this run registered.
TEST_F(RunSecurity, SigtermDuringRegistrationDeletesTheOnceAgentWithoutALaunch) {
  const std::string agents =
      Poco::URI(Var("AZP_URL")).getPath() + "/_apis/distributedtask/pools/1/agents";
  Control("POST", "/faults", {{"method", "POST"}, {"path_prefix", agents}, {"latency_ms", 4000}});
  StartWith(RunArgs("midway", {"--once", "--agent-version", FAKE_AGENT_VERSION}), {});
  // The pool is found just before the agent is looked up and POSTed (which takes 4 s here).
  ASSERT_TRUE(Eventually([&] { return Log().find("agent pool found") != std::string::npos; }))
      << Log();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const auto [code, took] = StopNow();
  EXPECT_EQ(code, kStopped) << Log();
  EXPECT_LT(took, std::chrono::seconds(15)) << Log();
  EXPECT_NE(Log().find("stopped before the listener started"), std::string::npos) << Log();
  EXPECT_EQ(Log().find("launching the listener"), std::string::npos) << Log();
  EXPECT_TRUE(AgentsNamed("midway").empty());
}

// L2 (G3b), L9 (G2d, G3c, G5): rejected up front with exit 2 and a clear line, no abort, nothing
// written, and the bad bytes are not echoed.
TEST_F(RunSecurity, InvalidUtf8AndControlCharactersAreUsageErrors) {
  const std::string root = MakeAgentRoot("inputs");
  const std::vector<std::vector<std::string>> cases = {
      {"register", "--agent-dir", root, "--agent-name", "\xff\xfe-bad-utf8"},
      {"register", "--agent-dir", root, "--agent-name", "name\x1b[31mred"},
      {"register", "--agent-dir", root, "--agent-name", "two\nlines"},
      {"register", "--agent-dir", root, "--agent-name", "ok", "--pool", "Default\n"},
      {"register", "--agent-dir", root, "--agent-name", "ok", "--capability",
       "gpu=a100\nagentboot.placeholder=true"},
      {"register", "--agent-dir", root, "--agent-name", "ok", "--capability", "k\xc3=v"},
      {"run", "--agent-dir", root, "--agent-name", "bad\x07", "--once"},
      {"run", "--agent-dir", root, "--agent-name", "ok", "--env", "AZP_TOKEN=x"},
      {"run", "--agent-dir", root, "--agent-name", "ok", "--env", "A=b\nc"}};
  for (const auto& args : cases) {
    const RunResult result = Agentboot(args, ImdsEnv());
    EXPECT_EQ(result.exit_code, kUsage) << args.back() << "\n" << result.err;
    EXPECT_EQ(result.err.find("terminate called"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\x1b'), std::string::npos);
    EXPECT_EQ(result.err.find('\xff'), std::string::npos);
  }
  const RunResult from_env = Agentboot({"register", "--agent-dir", root}, [&] {
    auto env = ImdsEnv();
    env["AZP_AGENT_NAME"] = "env\nname";
    return env;
  }());
  EXPECT_EQ(from_env.exit_code, kUsage) << from_env.err;
  EXPECT_NE(from_env.err.find("control character"), std::string::npos) << from_env.err;
  EXPECT_FALSE(std::filesystem::exists(root + "/.capabilities"));
  EXPECT_FALSE(std::filesystem::exists(root + "/.credentials"));
  EXPECT_TRUE(AgentsNamed("ok").empty());
}

}  // namespace
}  // namespace agentboot::cli_test

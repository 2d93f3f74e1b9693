// Issue 15 item 3: every local check of `run` and `register` comes before the first network call
// (no token, no Azure DevOps request in the simulator's log), a --once agent is deleted on every
// path after its registration, and under --run-as the agent root is taken back from an older
// release's layout before anything else happens.
#include <filesystem>
#include <fstream>

#include <Poco/URI.h>

#include "run_fixture.h"
#include <pwd.h>
#include <sys/stat.h>

namespace agentboot::cli_test {
namespace {

enum { kUsage = 2, kLaunchFailed = 13, kLocal = 15 };

class RunValidation : public RunCommand {
 protected:
  // Requests that reached the identity endpoint or the organization.
  int NetworkRequests() const {
    const std::string organization = Poco::URI(Var("AZP_URL")).getPath();
    return RequestCount("/metadata") + RequestCount(organization);
  }
  RunResult RunOnce(const std::string& name, std::vector<std::string> extra,
                    std::map<std::string, std::string> env = {}) {
    if (env.empty()) env = RunEnv();
    extra.insert(extra.end(), {"--once", "--agent-version", FAKE_AGENT_VERSION});
    return Agentboot(RunArgs(name, extra), env);
  }
  // The check: its exit code, its "what to do" sentence, and not one network request.
  void ExpectRefusedLocally(const RunResult& run, int code, const std::string& advice) {
    EXPECT_EQ(run.exit_code, code) << run.err;
    EXPECT_NE(run.err.find("agentboot: " + advice), std::string::npos) << run.err;
    EXPECT_EQ(NetworkRequests(), 0) << run.err;
  }
  static std::string EnsureUser(const std::string& user) {
    if (::getpwnam(user.c_str()) == nullptr) {
      const std::string add =
          "PATH=/usr/sbin:/usr/bin:/sbin:/bin useradd --no-create-home --shell /bin/sh " + user;
      EXPECT_EQ(std::system(add.c_str()), 0) << "useradd " << user;  // NOLINT(cert-env33-c)
    }
    return user;
  }
};

TEST_F(RunValidation, MissingUrlIsRefusedBeforeAnyRequest) {
  auto env = RunEnv();
  env.erase("AZP_URL");
  ExpectRefusedLocally(RunOnce("nourl", {}, env), kUsage,
                       "Pass --url https://dev.azure.com/<organization> or export AZP_URL.");
}

TEST_F(RunValidation, BadCapabilityIsRefusedBeforeAnyRequest) {
  ExpectRefusedLocally(RunOnce("badcap", {"--capability", "novalue"}), kUsage,
                       "Write capabilities as --capability name=value.");
  EXPECT_FALSE(std::filesystem::exists(temp_dir_ + "/badcap")) << "nothing made for a bad flag";
}

TEST_F(RunValidation, UnknownRunAsUserIsRefusedBeforeAnyRequest) {
  if (::geteuid() != 0) GTEST_SKIP() << "--run-as needs root";
  ExpectRefusedLocally(RunOnce("nouser", {"--run-as", "ab_h15_nosuchuser"}), kUsage,
                       "Create the user or pass an existing one.");
}

TEST_F(RunValidation, RunAsWithoutRootIsRefusedBeforeAnyRequest) {
  std::vector<std::string> args = RunArgs("notroot", {"--once", "--run-as", "root"});
  if (::geteuid() == 0) {
    // As an unprivileged user: setpriv (util-linux) drops to nobody for this one run.
    args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups", AGENTBOOT_BIN});
    binary_ = "/usr/bin/setpriv";
  }
  const RunResult run = Agentboot(args, RunEnv());
  ExpectRefusedLocally(run, kUsage, "Start agentboot as root");
  EXPECT_NE(run.err.find("only root can start the listener as another user"), std::string::npos);
}

TEST_F(RunValidation, AgentDirThatIsAFileIsRefusedBeforeAnyRequest) {
  std::ofstream(temp_dir_ + "/plainfile") << "x";
  const RunResult run = RunOnce("plainfile", {});
  ExpectRefusedLocally(run, kUsage, "Give it to root and remove group/other write access");
  EXPECT_NE(run.err.find("is not a directory"), std::string::npos) << run.err;
}

TEST_F(RunValidation, AgentDirBelowAFileIsRefusedBeforeAnyRequest) {
  std::ofstream(temp_dir_ + "/file") << "x";
  ExpectRefusedLocally(RunOnce("file/agent", {}), kLocal, "A part of the path is a file");
}

TEST_F(RunValidation, MissingLocalPackageIsRefusedBeforeAnyRequest) {
  const RunResult run = RunOnce("nopkg", {"--agent-package", temp_dir_ + "/no-such.tar.gz"});
  EXPECT_EQ(run.exit_code, kLocal) << run.err;
  EXPECT_NE(run.err.find("no-such.tar.gz"), std::string::npos) << run.err;
  EXPECT_EQ(NetworkRequests(), 0) << run.err;
}

TEST_F(RunValidation, RegisterChecksUrlAndCapabilitiesBeforeAnyRequest) {
  const std::string root = MakeAgentRoot("reg");
  auto env = ImdsEnv();
  env.erase("AZP_URL");
  ExpectRefusedLocally(Agentboot({"register", "--agent-dir", root, "--agent-name", "reg"}, env),
                       kUsage, "Pass --url https://dev.azure.com/<organization>");
  ExpectRefusedLocally(Agentboot({"register", "--agent-dir", root, "--agent-name", "reg",
                                  "--capability", "=x", "--agent-version", FAKE_AGENT_VERSION},
                                 ImdsEnv()),
                       kUsage, "Write capabilities as --capability name=value.");
}

// A listener that cannot be started after the registration (here: the cached listener lost its
// execute bit): the --once agent is deleted, the exit code says why.
TEST_F(RunValidation, OnceAgentIsDeletedWhenTheListenerCannotStart) {
  QueueJob("succeeded");
  ASSERT_EQ(RunOnce("warm", {}).exit_code, 0);  // fills the package cache
  const std::string cached =
      temp_dir_ + "/cache/" + std::string(FAKE_AGENT_VERSION) + "/bin/Agent.Listener";
  ASSERT_TRUE(std::filesystem::exists(cached));
  std::filesystem::permissions(cached, std::filesystem::perms(0644));
  const RunResult run = RunOnce("nolaunch", {});
  EXPECT_EQ(run.exit_code, kLaunchFailed) << run.err << run.out;
  EXPECT_GT(RequestCount(Poco::URI(Var("AZP_URL")).getPath(), "POST"), 0) << "it was registered";
  EXPECT_TRUE(AgentsNamed("nolaunch").empty()) << "the --once agent is left registered";
}

// Issue 9 follow-up: a root an older release gave to the --run-as user, with a link a job
// planted, is taken back before the first network call, and nothing outside it is touched.
TEST_F(RunValidation, RunAsTakesAnOldRootBackBeforeAnyRequest) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create and change users";
  const passwd* user = ::getpwnam(EnsureUser("ab_h15_1").c_str());
  ASSERT_NE(user, nullptr);
  std::filesystem::permissions(temp_dir_, std::filesystem::perms(0755));
  const std::string outside = temp_dir_ + "/outside";
  std::filesystem::create_directories(outside);
  std::ofstream(outside + "/passwd") << "root:x:0:0\n";
  ::chmod(outside.c_str(), 0700);
  const std::string root = temp_dir_ + "/legacy";
  std::filesystem::create_directories(root);
  ASSERT_EQ(::chown(root.c_str(), user->pw_uid, user->pw_gid), 0);
  ASSERT_EQ(::chmod(root.c_str(), 0755), 0);
  std::filesystem::create_directory_symlink(outside, root + "/bin.9.9.9");
  ASSERT_EQ(::lchown((root + "/bin.9.9.9").c_str(), user->pw_uid, user->pw_gid), 0);
  // The identity refuses: the run ends at its first network call.
  Control("POST", "/faults", {{"path_prefix", "/metadata/identity"}, {"statuses", {400}}});
  const RunResult run = RunOnce("legacy", {"--run-as", "ab_h15_1"});
  EXPECT_NE(run.exit_code, 0) << run.err;
  EXPECT_GE(RequestCount("/metadata/identity"), 1) << run.err;
  EXPECT_EQ(RequestCount(Poco::URI(Var("AZP_URL")).getPath()), 0) << run.err;
  struct stat info {};
  ASSERT_EQ(::lstat(root.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0U) << "the root is agentboot's again";
  EXPECT_EQ(info.st_mode & 022, 0U) << "and nobody else can write it";
  ASSERT_EQ(::lstat(outside.c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0U);
  EXPECT_EQ(info.st_mode & 07777, 0700U) << "the link's target is left as it was";
  ASSERT_EQ(::lstat((outside + "/passwd").c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, 0U);
  EXPECT_EQ(ReadFile(outside + "/passwd"), "root:x:0:0\n");
  ASSERT_EQ(::lstat((root + "/bin.9.9.9").c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode)) << "the link is not followed or replaced";
}

}  // namespace
}  // namespace agentboot::cli_test

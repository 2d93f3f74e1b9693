// The attacks of the security review (../shared/spec/security-review.md) against the real
// binary: a directory others can write (H3), a tampered .agent (M1), a planted pid (M2), a
// symlinked lock (M3), plain http (M6), a symlinked .credentials during a rotation (H2), leftover
// temp files (L7), the crash hook (L10) and core dumps (L15). Needs root for the other-user cases
// (CI runs as root); the job's user is a real account, ab_secfs_1, created once.
#include <filesystem>
#include <fstream>

#include "run_fixture.h"
#include <pwd.h>
#include <sys/stat.h>

namespace agentboot::cli_test {
namespace {

namespace fs = std::filesystem;

constexpr char kJobUser[] = "ab_secfs_1";

// The job's user, created when missing (idempotent); nullopt when that is impossible.
std::optional<passwd> JobUser() {
  if (::geteuid() != 0) return std::nullopt;
  if (const passwd* found = ::getpwnam(kJobUser)) return *found;
  ProcessSpec spec;
  spec.argv = {"/usr/sbin/useradd", "--system",          "--no-create-home",
               "--shell",           "/usr/sbin/nologin", kJobUser};
  spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}};
  (void)PosixProcessRunner().Run(spec);  // a parallel test may have won the race
  const passwd* found = ::getpwnam(kJobUser);
  return found ? std::optional<passwd>(*found) : std::nullopt;
}

// Runs `script` with /bin/sh as `user` (what any pipeline job can do).
int AsUser(const passwd& user, const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/usr/bin/setpriv",
               "--reuid=" + std::to_string(user.pw_uid),
               "--regid=" + std::to_string(user.pw_gid),
               "--clear-groups",
               "/bin/sh",
               "-c",
               script};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  auto output = PosixProcessRunner().Run(spec);
  return output ? output->exit_code : -1;
}

class Security : public RunCommand {
 protected:
  // A root whose bin/Agent.Listener is a script that leaves `marker` when anything runs it.
  std::string PlantedRoot(const std::string& name) {
    const std::string root = temp_dir_ + "/" + name;
    fs::create_directories(root + "/bin");
    marker_ = temp_dir_ + "/pwned-" + name;
    std::ofstream(root + "/bin/Agent.Listener")
        << "#!/bin/sh\nid > " << marker_ << "\necho 4.260.0\n";
    fs::permissions(root + "/bin/Agent.Listener", fs::perms(0755));
    return root;
  }
  RunResult Register(const std::string& root, const std::string& name,
                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"register", "--agent-dir", root, "--agent-name", name};
    args.insert(args.end(), extra.begin(), extra.end());
    return Agentboot(args, ImdsEnv());
  }
  std::string marker_;
};

// H3 (B7): a world-writable agent directory is refused before anything in it runs.
TEST_F(Security, RegisterRefusesAWorldWritableAgentDirectory) {
  const std::string root = PlantedRoot("b7");
  fs::permissions(root, fs::perms(0777));
  const RunResult refused = Register(root, "b7");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("writable by group or others"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-insecure-dir"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(marker_)) << "the planted listener ran";
  EXPECT_TRUE(AgentsNamed("b7").empty());
  // The explicit flag accepts it, loudly.
  const RunResult allowed =
      Register(root, "b7", {"--allow-insecure-dir", "--agent-version", FAKE_AGENT_VERSION});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_NE(allowed.err.find("INSECURE"), std::string::npos) << allowed.err;
}

// H3 with a real second user: their directory, their planted program; root runs nothing of it.
TEST_F(Security, RegisterAndRunRefuseADirectoryAnotherUserOwns) {
  const auto user = JobUser();
  if (!user) GTEST_SKIP() << "needs root and useradd";
  fs::permissions(temp_dir_, fs::perms(0755));
  const std::string root = temp_dir_ + "/theirs";
  fs::create_directories(root);
  ASSERT_EQ(::chown(root.c_str(), user->pw_uid, user->pw_gid), 0);
  marker_ = root + "/pwned";
  ASSERT_EQ(AsUser(*user, "mkdir -p " + root + "/bin && printf '#!/bin/sh\\nid > " + marker_ +
                              "\\necho 4.260.0\\n' > " + root +
                              "/bin/Agent.Listener && chmod 755 " + root + "/bin/Agent.Listener"),
            0);
  const RunResult registered = Register(root, "theirs");
  EXPECT_EQ(registered.exit_code, 2) << registered.err;
  EXPECT_NE(registered.err.find("is owned by uid " + std::to_string(user->pw_uid)),
            std::string::npos)
      << registered.err;
  const RunResult ran = Agentboot(RunArgs("theirs"), ImdsEnv());
  EXPECT_EQ(ran.exit_code, 2) << ran.err;
  EXPECT_FALSE(fs::exists(marker_)) << "the planted listener ran as root";
  // A parent of theirs is refused even when the agent directory itself is root's.
  const std::string inside = root + "/agent";
  ASSERT_EQ(AsUser(*user, "mkdir " + inside), 0);
  ASSERT_EQ(::chown(inside.c_str(), 0, 0), 0);
  EXPECT_EQ(Register(inside, "inside").exit_code, 2);
}

// M6 (D7): plain http to anything but loopback is refused; the flag accepts it with a warning.
TEST_F(Security, PlainHttpOrganizationUrlIsRefusedUnlessLoopback) {
  const std::string root = MakeAgentRoot("d7");
  auto env = ImdsEnv();
  // 0.0.0.0 reaches the simulator on this host, but is not a loopback name: a stand-in for any
  // remote http:// URL.
  std::string url = env["AZP_URL"];
  ASSERT_NE(url.find("127.0.0.1"), std::string::npos) << url;
  url.replace(url.find("127.0.0.1"), 9, "0.0.0.0");
  env["AZP_URL"] = url;
  const int requests = RequestCount("/");
  const RunResult refused = Agentboot(
      {"register", "--agent-dir", root, "--agent-name", "d7", "--agent-version", "4.260.0"}, env);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("in clear"), std::string::npos) << refused.err;
  EXPECT_EQ(RequestCount("/"), requests);  // not one request, not even for a token
  const RunResult ran = Agentboot(RunArgs("d7-run", {"--once"}), env);
  EXPECT_EQ(ran.exit_code, 2) << ran.err;
  const RunResult allowed = Agentboot({"register", "--agent-dir", root, "--agent-name", "d7",
                                       "--agent-version", "4.260.0", "--allow-insecure-url"},
                                      env);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_NE(allowed.err.find("INSECURE"), std::string::npos) << allowed.err;
}

// M1 (B8): root's drain/rotate/unregister do not send the token where a writable .agent points.
TEST_F(Security, DrainRotateAndUnregisterRefuseATamperedAgentFile) {
  const std::string root = MakeAgentRoot("b8");
  ASSERT_EQ(Register(root, "b8", {"--agent-version", FAKE_AGENT_VERSION}).exit_code, 0);
  const std::string agent_file = root + "/.agent";
  std::string text = ReadFile(agent_file);
  const std::string url = ImdsEnv()["AZP_URL"];
  ASSERT_NE(text.find(url), std::string::npos) << text;
  text.replace(text.find(url), url.size(), url + "/steal");
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(agent_file, text, 0666));
  const int requests = RequestCount("/");
  for (const char* command : {"drain", "rotate", "unregister"}) {
    auto env = ImdsEnv();
    env.erase("AZP_URL");
    const RunResult refused = Agentboot({command, "--agent-dir", root}, env);
    EXPECT_EQ(refused.exit_code, 2) << command << ": " << refused.err;
    EXPECT_NE(refused.err.find(".agent"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(RequestCount("/"), requests) << "a request went out";
  EXPECT_TRUE(fs::exists(root + "/.credentials_rsaparams"));
  // Root's own file, but not the organization --url / AZP_URL names: refused too.
  ASSERT_EQ(::chmod(agent_file.c_str(), 0600), 0);
  const RunResult mismatch = Agentboot({"drain", "--agent-dir", root}, ImdsEnv());
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.err;
  EXPECT_NE(mismatch.err.find("not " + url), std::string::npos) << mismatch.err;
  // A symlinked .agent is not followed.
  fs::rename(agent_file, root + "/elsewhere");
  fs::create_symlink(root + "/elsewhere", agent_file);
  EXPECT_EQ(Agentboot({"unregister", "--agent-dir", root}, ImdsEnv()).exit_code, 2);
  EXPECT_EQ(RequestCount("/"), requests);
  EXPECT_EQ(AgentsNamed("b8").size(), 1U);
}

// M2 (B4): a pid file naming another root process gets that process no signal.
TEST_F(Security, DrainSignalsOnlyTheAgentbootThatHoldsTheLock) {
  Start(RunArgs("b4", {"--agent-version", FAKE_AGENT_VERSION}));
  ASSERT_TRUE(Eventually([&] { return Online("b4"); })) << Log();
  pid_t victim = 0;
  char sleep_arg[] = "300";
  char sleep_name[] = "sleep";
  char* victim_argv[] = {sleep_name, sleep_arg, nullptr};
  ASSERT_EQ(posix_spawn(&victim, "/bin/sleep", nullptr, nullptr, victim_argv, nullptr), 0);
  const std::string pid_file = temp_dir_ + "/b4/.agentboot.pid";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(pid_file, std::to_string(victim) + "\n", 0644));
  const RunResult drained =
      Agentboot({"drain", "--agent-dir", temp_dir_ + "/b4", "--wait", "3"}, ImdsEnv());
  EXPECT_EQ(drained.exit_code, 2) << drained.err;
  EXPECT_NE(drained.err.find("does not name the process that holds"), std::string::npos)
      << drained.err;
  const RunResult rotated =
      Agentboot({"rotate", "--agent-dir", temp_dir_ + "/b4", "--wait", "3"}, ImdsEnv());
  EXPECT_EQ(rotated.exit_code, 2) << rotated.err;
  EXPECT_EQ(::waitpid(victim, nullptr, WNOHANG), 0) << "the victim was killed";
  EXPECT_TRUE(Online("b4"));
  ::kill(victim, SIGKILL);
  ::waitpid(victim, nullptr, 0);
  // With the true pid back, the same command drains it.
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(pid_file, std::to_string(pid_) + "\n", 0644));
  const RunResult real = Agentboot({"drain", "--agent-dir", temp_dir_ + "/b4"}, ImdsEnv());
  EXPECT_EQ(real.exit_code, 0) << real.err;
  EXPECT_EQ(WaitExit(std::chrono::seconds(10)), 0) << Log();
}

// M3 (B3): a symlinked lock file makes root create nothing anywhere.
TEST_F(Security, RunRefusesASymlinkedLockFile) {
  const std::string root = MakeAgentRoot("b3");
  fs::create_directories(temp_dir_ + "/rootonly");
  const std::string target = temp_dir_ + "/rootonly/nologin";
  fs::create_symlink(target, root + "/.agentboot.lock");
  const RunResult ran =
      Agentboot(RunArgs("b3", {"--agent-version", FAKE_AGENT_VERSION}), ImdsEnv());
  EXPECT_NE(ran.exit_code, 0);
  EXPECT_NE(ran.err.find("symlink"), std::string::npos) << ran.err;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(AgentsNamed("b3").empty());
}

// H2 (B6a): the job's user swaps .credentials for a symlink; a rotation gives nothing away.
TEST_F(Security, RotationUnderRunAsDoesNotChownThroughASymlink) {
  const auto user = JobUser();
  if (!user) GTEST_SKIP() << "needs root and useradd";
  fs::permissions(temp_dir_, fs::perms(0755));
  const std::string root = temp_dir_ + "/b6";
  const std::string victim = temp_dir_ + "/shadow-copy";
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(victim, "root:secret", 0600));
  Start(RunArgs("b6", {"--agent-version", FAKE_AGENT_VERSION, "--run-as", kJobUser}));
  ASSERT_TRUE(Eventually([&] { return Online("b6"); })) << Log();
  // Done as root here; the point is what root does with the link afterwards.
  const std::string old_key = ReadFile(root + "/.credentials_rsaparams");
  fs::remove(root + "/.credentials");
  fs::create_symlink(victim, root + "/.credentials");
  const RunResult rotated = Agentboot({"rotate", "--agent-dir", root, "--wait", "20"}, ImdsEnv());
  // The rotation happened (the new key is written before the files are given to the user)...
  EXPECT_EQ(rotated.exit_code, 0) << rotated.err << Log();
  EXPECT_NE(ReadFile(root + "/.credentials_rsaparams"), old_key);
  // ...and root never wrote or chowned through the link: .credentials was rewritten by an atomic
  // rename (replacing the link itself) and the target is still root's alone.
  EXPECT_FALSE(fs::is_symlink(root + "/.credentials")) << Log();
  struct stat st {};
  ASSERT_EQ(::stat(victim.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0U) << Log();
  EXPECT_EQ(st.st_mode & 07777, 0600U);
}

// L7 (A10): leftover temp files of agentboot's own files go at start and on unregister.
TEST_F(Security, LeftoverTempFilesAreSwept) {
  const std::string root = MakeAgentRoot("a10");
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(root + "/.credentials_rsaparams.tmp.rnGOeF",
                                                "half a key", 0600));
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(root + "/notes.tmp.keepme", "mine", 0600));
  ASSERT_EQ(Register(root, "a10", {"--agent-version", FAKE_AGENT_VERSION}).exit_code, 0);
  EXPECT_FALSE(fs::exists(root + "/.credentials_rsaparams.tmp.rnGOeF"));
  EXPECT_TRUE(fs::exists(root + "/notes.tmp.keepme"));
  ASSERT_TRUE(PosixFileSystem().WriteFileAtomic(root + "/.credentials.tmp.Xy12Z9", "x", 0600));
  const RunResult removed = Agentboot({"unregister", "--agent-dir", root}, ImdsEnv());
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_FALSE(fs::exists(root + "/.credentials.tmp.Xy12Z9"));
}

// L10: the shipped binary has no crash hook: the variable changes nothing, its name is absent.
TEST_F(Security, TheAgentbootBinaryIgnoresTheCrashHook) {
  const std::string root = MakeAgentRoot("l10");
  auto env = ImdsEnv();
  env["AGENTBOOT_TEST_CRASH_AFTER"] = "1";
  const RunResult registered = Agentboot(
      {"register", "--agent-dir", root, "--agent-name", "l10", "--agent-version", "4.260.0"}, env);
  EXPECT_EQ(registered.exit_code, 0) << registered.err;
  const std::string binary = ReadFile(AGENTBOOT_BIN);
  ASSERT_FALSE(binary.empty());
  EXPECT_EQ(binary.find("AGENTBOOT_TEST_CRASH_AFTER"), std::string::npos);
}

// L15: a running agentboot cannot dump core (and is not dumpable: see the base unit test).
TEST_F(Security, RunningAgentbootHasNoCoreFileLimit) {
  Start(RunArgs("l15", {"--agent-version", FAKE_AGENT_VERSION}));
  ASSERT_TRUE(Eventually([&] { return Online("l15"); })) << Log();
  const std::string limits = ReadFile("/proc/" + std::to_string(pid_) + "/limits");
  const size_t line = limits.find("Max core file size");
  ASSERT_NE(line, std::string::npos) << limits;
  std::istringstream fields(limits.substr(line + std::string("Max core file size").size()));
  std::string soft;
  fields >> soft;
  EXPECT_EQ(soft, "0") << limits;
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(WaitExit(), 0) << Log();
}

}  // namespace
}  // namespace agentboot::cli_test

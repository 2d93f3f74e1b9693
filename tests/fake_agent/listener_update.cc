#include "listener_update.h"

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "agentboot/jose.h"

#include "listener_host.h"
#include "listener_version.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentboot::fake_agent {
namespace {

namespace fs = std::filesystem;

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// IOUtil.GetFileHash gives "AA-BB-…"; StringUtil.AreHashesEqual ignores case and dashes.
std::string NormalizeHash(std::string_view hash) {
  std::string normalized;
  for (char c : hash) {
    if (c != '-') normalized += c;
  }
  return ToLower(normalized);
}

std::string Stamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32] = {};
  std::strftime(text, sizeof(text), "%Y%m%d-%H%M%S", &utc);
  return text;
}

Status MoveReplacing(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::rename(from, to, ec);
  if (ec) return Fail(ErrorCode::kInternal, "move " + from.string(), ec.message());
  return {};
}

// Starts the script in its own session with no inherited descriptors, so whoever reads this
// process's output sees end-of-file when the listener exits.
Status StartDetached(const std::string& script) {
  const pid_t pid = fork();
  if (pid < 0) return Fail(ErrorCode::kInternal, "fork", "cannot start the update script");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // the listener blocks SIGINT/SIGTERM for sigwait
    setsid();
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      dup2(null_fd, 0);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    execl("/bin/bash", "bash", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return {};
}

}  // namespace

std::string UpdateScript(const UpdateScriptInputs& in) {
  // update.sh.template:53-121: a link is removed, a real directory renamed to <name>.<old>, and
  // the new link is absolute, to "$rootfolder/<name>.<new>".
  const std::string swap = R"(swap() {
  local name="$1"
  if [ -L "$root/$name" ] && [ -d "$root/$name" ]; then
    rm -f "$root/$name" || fail "rm $name"
  else
    mv -f "$root/$name" "$root/$name.$old_version" || fail "mv $name"
  fi
  ln -s "$root/$name.$new_version" "$root/$name" || fail "ln $name"
}
)";
  std::string script = "#!/bin/bash\n# Self-update of the agent from " + in.old_version + " to " +
                       in.new_version + ", written by Agent.Listener.\n";
  script += "listener_pid=" + std::to_string(in.listener_pid) + "\n";
  script += "root=" + ShellQuote(in.root) + "\n";
  script += "old_version=" + ShellQuote(in.old_version) + "\n";
  script += "new_version=" + ShellQuote(in.new_version) + "\n";
  script += "restart_interactive=" + std::string(in.restart_interactive ? "1" : "0") + "\n";
  script += "log=" + ShellQuote(in.diag_dir + "/SelfUpdate-" + in.stamp + ".log") + "\n";
  script +=
      "exec >>\"$log\" 2>&1\n"
      "stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }\n"
      "fail() { echo \"[$(stamp)] update failed: $*\"; mv \"$log\" \"$log.failed\"; exit 1; }\n"
      "echo \"[$(stamp)] waiting for the agent listener ($listener_pid) to exit\"\n"
      "while [ -e \"/proc/$listener_pid\" ]; do sleep 0.1; done\n";
  script += swap;
  script +=
      "swap bin\n"
      "swap externals\n"
      "echo \"[$(stamp)] agent updated to $new_version\"\n"
      "mv -f \"$log\" \"$log.succeed\"\n"
      "if [ \"$restart_interactive\" -ne 0 ]; then\n"
      "  echo \"[$(stamp)] Restarting interactive agent\" >> \"$log.succeed\"\n"
      "  \"$root/run.sh\" &\n"
      "fi\n";
  return script;
}

// SelfUpdater.cs:450-456: every regular file at the top of the new package replaces the root's.
Status CopyTopLevelFiles(const fs::path& package_dir, const std::string& root) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(package_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = fs::path(root) / entry.path().filename();
    std::ifstream in(entry.path(), std::ios::binary);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);  // follows a symlink
    if (!in || !out) return Fail(ErrorCode::kInternal, "copy", "cannot write " + target.string());
    out << in.rdbuf();
    out.close();
    // .NET's File.Copy on Unix gives the copy the source's permission bits.
    fs::permissions(target, entry.status().permissions(), ec);
  }
  if (ec) return Fail(ErrorCode::kInternal, "list " + package_dir.string(), ec.message());
  return {};
}

Status SelfUpdate(ServerConnection& server, const std::string& root,
                  const std::string& target_version, bool restart_interactive) {
  Result<HttpAnswer> metadata =
      server.Call("GET", "_apis/distributedtask/packages/agent/linux-x64/" + target_version);
  if (!metadata) return Fail(metadata.error());
  nlohmann::json package = nlohmann::json::parse(metadata->body, nullptr, false);
  if (metadata->status != 200 || !package.is_object() || !package.contains("downloadUrl")) {
    return Fail(ErrorCode::kNotFound, "package " + target_version,
                "HTTP " + std::to_string(metadata->status));
  }
  // The download goes out with no Authorization header (plain HttpClient).
  Result<HttpAnswer> archive =
      Send("GET", package["downloadUrl"].get<std::string>(), {}, "", CaFile());
  if (!archive) return Fail(archive.error());
  if (archive->status != 200) {
    return Fail(ErrorCode::kUnavailable, "download", "HTTP " + std::to_string(archive->status));
  }
  if (NormalizeHash(jose::Sha256Hex(archive->body)) !=
      NormalizeHash(package.value("hashValue", ""))) {
    return Fail(ErrorCode::kInvalidArgument, "download", "the package hash does not match");
  }
  const std::string& work = server.settings().work_folder;
  const fs::path work_dir = fs::path(work).is_absolute() ? fs::path(work) : fs::path(root) / work;
  const fs::path update_dir = work_dir / "_update";
  const fs::path extract_dir = update_dir / target_version;
  std::error_code ec;
  fs::remove_all(extract_dir, ec);
  fs::create_directories(extract_dir, ec);
  if (ec) return Fail(ErrorCode::kInternal, "mkdir " + extract_dir.string(), ec.message());
  const fs::path file = update_dir / ("agent-" + target_version + ".tar.gz");
  std::ofstream(file, std::ios::binary) << archive->body;
  ProcessSpec tar;
  tar.argv = {"tar", "-xzf", file.string(), "-C", extract_dir.string()};
  tar.env = {{"PATH", ProcessEnvironment().GetNonEmpty("PATH").value_or("/usr/bin:/bin")}};
  tar.timeout = std::chrono::minutes(5);
  Result<ProcessOutput> extracted = PosixProcessRunner().Run(tar);
  if (!extracted || extracted->exit_code != 0) {
    return Fail(ErrorCode::kInternal, "tar -xzf",
                extracted ? extracted->stderr_text : extracted.error().ToString());
  }
  for (const char* part : {"bin", "externals"}) {
    if (!fs::exists(extract_dir / part)) continue;
    Status moved =
        MoveReplacing(extract_dir / part, fs::path(root) / (part + ("." + target_version)));
    if (!moved) return moved;
  }
  if (Status copied = CopyTopLevelFiles(extract_dir, root); !copied) return copied;
  const fs::path script = work_dir / "_update.sh";
  UpdateScriptInputs inputs{
      root,    DiagDirectory(root), static_cast<int>(getpid()), ListenerVersion(), target_version,
      Stamp(), restart_interactive};
  std::ofstream(script, std::ios::binary) << UpdateScript(inputs);
  fs::permissions(script, fs::perms::owner_all, fs::perm_options::add, ec);
  return StartDetached(script.string());
}

}  // namespace agentboot::fake_agent

#include "listener_update.h"

#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "agentboot/jose.h"

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

std::string UpdateScript(const std::string& root, int listener_pid, const std::string& old_version,
                         const std::string& new_version, const std::string& stamp) {
  const std::string swap = R"(swap() {
  local name="$1"
  if [ -L "$name" ]; then
    rm "$name" || fail "rm $name"
  elif [ -d "$name" ]; then
    rm -rf "$name.$old_version"
    mv -T "$name" "$name.$old_version" || fail "mv $name"
  fi
  if [ -d "$name.$new_version" ]; then
    ln -s "$name.$new_version" "$name" || fail "ln $name"
  fi
}
)";
  return "#!/bin/bash\n"
         "# Self-update of the agent from " +
         old_version + " to " + new_version +
         ", written by Agent.Listener.\n"
         "listener_pid=" +
         std::to_string(listener_pid) +
         "\n"
         "root=" +
         ShellQuote(root) +
         "\n"
         "old_version=" +
         ShellQuote(old_version) +
         "\n"
         "new_version=" +
         ShellQuote(new_version) +
         "\n"
         "log=\"$root/_diag/SelfUpdate-" +
         stamp +
         ".log\"\n"
         "mkdir -p \"$root/_diag\"\n"
         "exec >>\"$log\" 2>&1\n"
         "stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }\n"
         "fail() { echo \"[$(stamp)] update failed: $*\"; mv \"$log\" \"$log.failed\"; exit 1; }\n"
         "echo \"[$(stamp)] waiting for the agent listener ($listener_pid) to exit\"\n"
         "while [ -e \"/proc/$listener_pid\" ]; do sleep 0.1; done\n"
         "cd \"$root\" || fail \"cd $root\"\n" +
         swap +
         "swap bin\n"
         "swap externals\n"
         "echo \"[$(stamp)] agent updated to $new_version\"\n"
         "mv \"$log\" \"$log.succeed\"\n";
}

Status SelfUpdate(ServerConnection& server, const std::string& root,
                  const std::string& target_version) {
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
  const fs::path script = work_dir / "_update.sh";
  std::ofstream(script, std::ios::binary)
      << UpdateScript(root, static_cast<int>(getpid()), ListenerVersion(), target_version, Stamp());
  fs::permissions(script, fs::perms::owner_all, fs::perm_options::add, ec);
  return StartDetached(script.string());
}

}  // namespace agentboot::fake_agent

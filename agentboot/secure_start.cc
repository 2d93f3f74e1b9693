#include "secure_start.h"

#include "agentboot/devops.h"

#include "exit_codes.h"
#include "run_flags.h"
#include "run_lock.h"
#include <pwd.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "security";
constexpr uint64_t kMaxSettingsSize = 64 * 1024;

// A refusal, or with the flag a warning that says what the flag has just allowed.
Status RefuseOrWarn(App& app, Error error, bool allowed, const std::string& flag,
                    const std::string& risk) {
  if (!allowed) {
    error.advice += " (" + flag + " accepts it: " + risk + ")";
    return Fail(std::move(error));
  }
  app.log().Log(LogLevel::kWarning, kSource,
                "INSECURE: " + flag + " accepts what agentboot would refuse: " + risk,
                {{"detail", error.context + ": " + error.detail}});
  return {};
}

std::string Normalized(std::string url) {
  while (EndsWith(url, "/")) url.pop_back();
  return ToLower(url);
}

std::optional<uint32_t> UidOf(const std::string& user) {
  if (user.empty()) return std::nullopt;
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;  // the run command reports the unknown user itself
  }
  return found->pw_uid;
}

int Refused(const Error& error) {
  PrintFailure(error);
  return kExitUsage;
}

}  // namespace

void AddSecurityOptions(CLI::App& command, SecurityFlags& flags) {
  command.add_flag("--allow-insecure-dir", flags.allow_insecure_dir,
                   "Accept an agent or cache directory that other users can write (unsafe)");
  command.add_flag("--allow-insecure-url", flags.allow_insecure_url,
                   "Accept a plain http:// organization URL (the token travels in clear)");
}

Status CheckDirectoryFor(App& app, const std::string& dir, const DirectoryTrust& trust,
                         const SecurityFlags& flags) {
  auto checked = CheckTrustedDirectory(dir, trust);
  if (checked) return {};
  return RefuseOrWarn(app, std::move(checked.error()), flags.allow_insecure_dir,
                      "--allow-insecure-dir",
                      "anyone who can write there can make root run their program");
}

Status CheckUrlFor(App& app, const std::string& url, const SecurityFlags& flags) {
  if (url.empty()) return {};
  auto checked = devops::CheckOrganizationUrl(url);
  if (checked) return {};
  const bool plain_http = StartsWith(ToLower(url), "http://");
  return RefuseOrWarn(app, std::move(checked.error()), flags.allow_insecure_url && plain_http,
                      "--allow-insecure-url", "anyone on the network path can take the token");
}

Result<std::string> TrustedOrganization(App& app, const agent::AgentFiles& files,
                                        const std::string& given_url, const SecurityFlags& flags) {
  if (auto dir = CheckDirectoryFor(app, files.root(), {}, flags); !dir) return Fail(dir.error());
  auto text = ReadTrustedFile(files.settings_path(), kMaxSettingsSize);
  if (!text) {
    Error error = std::move(text.error());
    error.detail += "; agentboot will not send its token to the organization it names";
    return Fail(std::move(error));
  }
  auto settings = agent::ParseSettings(*text);
  if (!settings) return Fail(std::move(settings.error()));
  if (auto url = CheckUrlFor(app, settings->server_url, flags); !url) return Fail(url.error());
  if (!given_url.empty() && Normalized(given_url) != Normalized(settings->server_url)) {
    return Fail(ErrorCode::kInvalidArgument, files.settings_path(),
                "names the organization " + settings->server_url + ", not " + given_url +
                    " (--url / AZP_URL)",
                "Check which organization this agent belongs to; pass that --url, or leave "
                "--url and AZP_URL unset to use the one in .agent.");
  }
  return settings->server_url;
}

void SweepAgentTempFiles(App& app, const agent::AgentFiles& files) {
  auto swept = agent::SweepStaleTempFiles(files);
  if (swept && *swept > 0) {
    app.log().Log(LogLevel::kInfo, kSource, "removed temp files an interrupted write left",
                  {{"count", std::to_string(*swept)}, {"dir", files.root()}});
  }
}

int SecureRunStart(App& app, const RunFlags& flags) {
  if (auto url = CheckUrlFor(app, flags.url, flags.security); !url) return Refused(url.error());
  const DirectoryTrust agent_trust{UidOf(flags.run_as), false};
  const std::string cache_dir = flags.cache_dir.empty()
                                    ? agent::DefaultCacheDir(app.env().vars, ::geteuid() == 0)
                                    : flags.cache_dir;
  // Checked before creating (nothing made in a place that will be refused), and after (someone
  // could have made it first, e.g. under /tmp).
  for (const auto& [dir, trust] :
       {std::pair{flags.agent_dir, agent_trust}, std::pair{cache_dir, DirectoryTrust{}}}) {
    if (auto checked = CheckDirectoryFor(app, dir, trust, flags.security); !checked) {
      return Refused(checked.error());
    }
    (void)app.env().fs.CreateDirectories(dir, 0755);  // a failure is reported where it is used
    if (auto checked = CheckDirectoryFor(app, dir, trust, flags.security); !checked) {
      return Refused(checked.error());
    }
  }
  return kExitOk;
}

int SecureRegisterStart(App& app, const RegisterFlags& flags) {
  if (auto url = CheckUrlFor(app, flags.url, flags.security); !url) return Refused(url.error());
  if (auto dir = CheckDirectoryFor(app, flags.agent_dir, {}, flags.security); !dir) {
    return Refused(dir.error());
  }
  if (!RunningAgentboot(app.env().fs, flags.agent_dir)) {
    SweepAgentTempFiles(app, agent::AgentFiles(app.env().fs, flags.agent_dir));
  }
  return kExitOk;
}

}  // namespace agentboot::cli

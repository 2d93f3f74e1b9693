// The checks every command makes before it trusts a directory, a file or a URL with root's
// token (security-review H3, M1, M6, L7). Each refusal is printed with its advice and is exit 2;
// the --allow-insecure-* flags turn a refusal into a loud warning.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "agentboot/agent.h"

#include "app.h"

namespace agentboot::cli {

struct SecurityFlags {
  bool allow_insecure_dir = false;  // accept directories others can write (H3)
  bool allow_insecure_url = false;  // accept a plain http:// organization URL (M6)
};

// --allow-insecure-dir and --allow-insecure-url.
void AddSecurityOptions(CLI::App& command, SecurityFlags& flags);

// `dir` and its parents (CheckTrustedDirectory); a refusal unless the flag allows it.
[[nodiscard]] Status CheckDirectoryFor(App& app, const std::string& dir,
                                       const DirectoryTrust& trust, const SecurityFlags& flags);
// The organization URL (devops::CheckOrganizationUrl); empty is left to the command.
[[nodiscard]] Status CheckUrlFor(App& app, const std::string& url, const SecurityFlags& flags);

// For commands that take the organization from `.agent` (drain, rotate, unregister): the agent
// directory must be root's (or agentboot's user's), `.agent` a trusted file (ReadTrustedFile),
// its URL acceptable, and equal to `given_url` (--url / AZP_URL) when that is set. The URL.
[[nodiscard]] Result<std::string> TrustedOrganization(App& app, const agent::AgentFiles& files,
                                                      const std::string& given_url,
                                                      const SecurityFlags& flags);

// Removes leftover temp files of agentboot's own files (a crash mid-write) and says so.
void SweepAgentTempFiles(App& app, const agent::AgentFiles& files);

struct RunFlags;
struct RegisterFlags;
// `run`, before anything else: the URL, the agent directory (created if needed, then checked
// again) and the package cache. kExitOk, or the exit code of a printed refusal.
int SecureRunStart(App& app, const RunFlags& flags);
// `register`: the URL and the agent directory; then, when no agentboot runs there, the sweep.
int SecureRegisterStart(App& app, const RegisterFlags& flags);

}  // namespace agentboot::cli

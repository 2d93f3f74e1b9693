// agentboot::supervisor, the listener's user and environment: the --run-as account
// and the allow-listed environment the listener starts with.
// Part of agentboot/supervisor.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/supervisor/launcher.h"

#include <signal.h>

namespace agentboot::supervisor {

// The --run-as user's login facts from the passwd database (getpwnam_r).
struct UserAccount {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
  std::string shell;
  std::vector<uint32_t> groups;  // supplementary groups (getgrouplist)
};
// kInvalidArgument with advice when there is no such user.
[[nodiscard]] Result<UserAccount> LookUpUser(const std::string& name);

// PATH of a --run-as listener: root's PATH is not the job user's.
inline constexpr std::string_view kDefaultListenerPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ListenerEnvironment {
  // --env items: "NAME" copies NAME from agentboot's environment, "NAME=VALUE" sets it. They
  // pass even when not on the allow-list, never agentboot's own secrets (see EnvItemProblem).
  std::vector<std::string> explicit_vars;
  // With --run-as: HOME, USER, LOGNAME and SHELL from the account, PATH kDefaultListenerPath.
  std::optional<UserAccount> run_as;
};

// "" when `item` is a valid --env item; otherwise why not (a bad name, one of agentboot's own
// variables such as AZP_TOKEN or AGENTBOOT_*, invalid UTF-8 or a control character).
std::string EnvItemProblem(const std::string& item);

// The listener's environment from an allow-list of `parent`: PATH, LANG, LANGUAGE, LC_*, TZ, TERM,
// HOME, USER, LOGNAME, SHELL, TMPDIR, SSL_CERT_FILE/DIR, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT,
// HTTP(S)_PROXY/ALL_PROXY without user-info, NO_PROXY, AGENT_* and VSTS_AGENT_* knobs (except
// names with a word such as TOKEN, SECRET, PASSWORD, PAT, KEY), agent.disableupdate, and the
// identity variables jobs may use (AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT,
// AZP_URL, ...), which VSO_AGENT_IGNORE hides from the capability list. Then `options`.
std::map<std::string, std::string> BuildListenerEnvironment(
    const std::map<std::string, std::string>& parent, const ListenerEnvironment& options);

// BuildListenerEnvironment(parent, {}) without the names in `extra_drop` (exact, or "PREFIX*").
std::map<std::string, std::string> ScrubEnvironment(
    const std::map<std::string, std::string>& parent,
    const std::vector<std::string>& extra_drop = {});

}  // namespace agentboot::supervisor

// The listener's environment, built from an allow-list (security review L3: a deny-list let
// AZURE_DEVOPS_EXT_PAT, GITHUB_TOKEN, ARM_ACCESS_KEY and proxy passwords through). Jobs inherit
// the listener's environment and publish it as capabilities (agent-contract, capability scan),
// so only what a job needs to run, and what the operator passes with --env, gets in.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor {
namespace {

// Exact names passed on from agentboot's environment.
constexpr std::array<std::string_view, 17> kAllowedNames = {
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TERM",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "NO_PROXY",
    "no_proxy",
    "agent.disableupdate",
    "VSO_AGENT_IGNORE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"};
// Proxies: passed on only without user-info (a password in the URL is a secret for every job).
constexpr std::array<std::string_view, 6> kProxyNames = {"HTTP_PROXY",  "http_proxy", "HTTPS_PROXY",
                                                         "https_proxy", "ALL_PROXY",  "all_proxy"};
// The agent's own knobs (Agent.Listener reads AGENT_* / VSTS_AGENT_* settings) and locales.
constexpr std::array<std::string_view, 3> kAllowedPrefixes = {"LC_", "AGENT_", "VSTS_AGENT_"};

// Kept (jobs may use workload or managed identity), but hidden from the capability list: they
// describe this host's registration, not a tool a pipeline can demand.
constexpr std::array<std::string_view, 13> kHiddenNames = {"AZP_URL",
                                                           "AZP_POOL",
                                                           "AZP_AGENT_NAME",
                                                           "AZP_WORK",
                                                           "AZP_CLIENTID",
                                                           "AZP_TENANTID",
                                                           "AZURE_CLIENT_ID",
                                                           "AZURE_TENANT_ID",
                                                           "AZURE_AUTHORITY_HOST",
                                                           "AZURE_FEDERATED_TOKEN_FILE",
                                                           "IDENTITY_ENDPOINT",
                                                           "IMDS_ENDPOINT",
                                                           "MSI_ENDPOINT"};

// Never passed, not even with --env: agentboot's own credentials and configuration.
constexpr std::array<std::string_view, 5> kSecretNames = {
    "IDENTITY_HEADER", "MSI_SECRET", "VSTS_AGENT_INPUT_TOKEN", "VSTS_AGENT_INPUT_PASSWORD",
    "SYSTEM_ACCESSTOKEN"};
constexpr std::array<std::string_view, 3> kSecretPrefixes = {"AGENTBOOT_", "AZP_TOKEN",
                                                             "VSTS_AGENT_INPUT_"};
// Words (between underscores or dots) that make an allow-listed prefix match (AGENT_*,
// VSTS_AGENT_*) a secret after all.
constexpr std::array<std::string_view, 9> kSecretWords = {
    "TOKEN", "SECRET", "PASSWORD", "PWD", "PAT", "KEY", "CREDENTIAL", "CREDENTIALS", "AUTH"};

constexpr std::string_view kIgnoreVariable = "VSO_AGENT_IGNORE";

std::string Upper(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

bool IsAgentbootSecret(std::string_view name) {
  const std::string upper = Upper(name);
  for (auto secret : kSecretNames) {
    if (upper == secret) return true;
  }
  for (auto prefix : kSecretPrefixes) {
    if (StartsWith(upper, prefix)) return true;
  }
  return EndsWith(upper, "SECRET") || EndsWith(upper, "PASSWORD");
}

bool HasSecretWord(std::string_view name) {
  std::string upper = Upper(name);
  std::replace(upper.begin(), upper.end(), '.', '_');
  for (const auto& part : Split(upper, '_')) {
    if (std::find(kSecretWords.begin(), kSecretWords.end(), part) != kSecretWords.end()) {
      return true;
    }
  }
  return false;
}

bool ProxyHasUserInfo(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string_view::npos ? url.npos : end - start).find('@') !=
         std::string_view::npos;
}

bool IsAllowed(const std::string& name, const std::string& value) {
  for (auto allowed : kAllowedNames) {
    if (name == allowed) return true;
  }
  for (auto hidden : kHiddenNames) {
    if (name == hidden) return true;
  }
  for (auto proxy : kProxyNames) {
    if (name == proxy) return !ProxyHasUserInfo(value);
  }
  for (auto prefix : kAllowedPrefixes) {
    if (StartsWith(name, prefix)) return !HasSecretWord(name);
  }
  return false;
}

bool Matches(std::string_view name, std::string_view pattern) {
  if (EndsWith(pattern, "*")) return StartsWith(name, pattern.substr(0, pattern.size() - 1));
  return name == pattern;
}

// VSO_AGENT_IGNORE: what the operator already hides, plus the identity variables we keep.
void HideConfiguration(std::map<std::string, std::string>& child) {
  std::vector<std::string> hidden;
  if (auto it = child.find(std::string(kIgnoreVariable)); it != child.end()) {
    for (auto& item : Split(it->second, ',')) {
      std::string name = Trim(item);
      if (!name.empty()) hidden.push_back(std::move(name));
    }
  }
  for (auto name : kHiddenNames) {
    const bool present = child.count(std::string(name)) != 0;
    const bool listed = std::find(hidden.begin(), hidden.end(), name) != hidden.end();
    if (present && !listed) hidden.emplace_back(name);
  }
  if (hidden.empty()) return;
  std::string joined;
  for (const auto& name : hidden) joined += (joined.empty() ? "" : ",") + name;
  child[std::string(kIgnoreVariable)] = joined;
}

}  // namespace

std::string EnvItemProblem(const std::string& item) {
  const std::string name = item.substr(0, item.find('='));
  const bool valid_name =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) != 0 || name[0] == '_') &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
      });
  if (!valid_name) return "\"" + name + "\" is not a variable name (letters, digits, _ and .)";
  if (IsAgentbootSecret(name)) return name + " is agentboot's own and never reaches the listener";
  if (auto problem = TextProblem(item); !problem.empty()) return problem;
  return "";
}

std::map<std::string, std::string> BuildListenerEnvironment(
    const std::map<std::string, std::string>& parent, const ListenerEnvironment& options) {
  std::map<std::string, std::string> child;
  for (const auto& [name, value] : parent) {
    if (IsAllowed(name, value) && !IsAgentbootSecret(name)) child.emplace(name, value);
  }
  if (options.run_as) {
    // The job user's own login facts, never root's (security review L4).
    child["HOME"] = options.run_as->home;
    child["USER"] = options.run_as->name;
    child["LOGNAME"] = options.run_as->name;
    child["SHELL"] = options.run_as->shell.empty() ? "/bin/sh" : options.run_as->shell;
    child["PATH"] = std::string(kDefaultListenerPath);
  }
  for (const auto& item : options.explicit_vars) {
    if (!EnvItemProblem(item).empty()) continue;  // the CLI refuses these before we get here
    const size_t eq = item.find('=');
    if (eq != std::string::npos) {
      child[item.substr(0, eq)] = item.substr(eq + 1);
    } else if (auto it = parent.find(item); it != parent.end()) {
      child[item] = it->second;
    }
  }
  HideConfiguration(child);
  return child;
}

std::map<std::string, std::string> ScrubEnvironment(
    const std::map<std::string, std::string>& parent, const std::vector<std::string>& extra_drop) {
  auto child = BuildListenerEnvironment(parent, ListenerEnvironment{});
  std::erase_if(child, [&](const auto& entry) {
    return std::any_of(extra_drop.begin(), extra_drop.end(),
                       [&](const std::string& pattern) { return Matches(entry.first, pattern); });
  });
  return child;
}

}  // namespace agentboot::supervisor

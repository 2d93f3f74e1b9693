// The listener's environment: the parent's, minus secrets and agentboot's own variables. Jobs
// inherit the listener's environment and publish it as capabilities (agent-contract, capability
// scan), so anything left here is visible to every pipeline that lands on this agent.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor {
namespace {

constexpr std::array<std::string_view, 5> kSecretNames = {
    "IDENTITY_HEADER", "MSI_SECRET", "VSTS_AGENT_INPUT_TOKEN", "VSTS_AGENT_INPUT_PASSWORD",
    "SYSTEM_ACCESSTOKEN"};
constexpr std::array<std::string_view, 2> kSecretPrefixes = {"AGENTBOOT_", "AZP_TOKEN"};
constexpr std::array<std::string_view, 2> kSecretSuffixes = {"SECRET", "PASSWORD"};

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

constexpr std::string_view kIgnoreVariable = "VSO_AGENT_IGNORE";

bool Matches(std::string_view name, std::string_view pattern) {
  if (EndsWith(pattern, "*")) return StartsWith(name, pattern.substr(0, pattern.size() - 1));
  return name == pattern;
}

bool IsDropped(std::string_view name, const std::vector<std::string>& extra_drop) {
  const std::string upper = [&] {
    std::string out(name);
    for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return out;
  }();
  for (auto secret : kSecretNames) {
    if (upper == secret) return true;
  }
  for (auto prefix : kSecretPrefixes) {
    if (StartsWith(upper, prefix)) return true;
  }
  for (auto suffix : kSecretSuffixes) {
    if (EndsWith(upper, suffix)) return true;
  }
  for (const auto& pattern : extra_drop) {
    if (Matches(name, pattern)) return true;
  }
  return false;
}

}  // namespace

std::map<std::string, std::string> ScrubEnvironment(
    const std::map<std::string, std::string>& parent, const std::vector<std::string>& extra_drop) {
  std::map<std::string, std::string> child;
  for (const auto& [name, value] : parent) {
    if (!IsDropped(name, extra_drop)) child.emplace(name, value);
  }
  // Merge with what the operator already hides; never list a name twice.
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
  if (!hidden.empty()) {
    std::string joined;
    for (const auto& name : hidden) joined += (joined.empty() ? "" : ",") + name;
    child[std::string(kIgnoreVariable)] = joined;
  }
  return child;
}

}  // namespace agentboot::supervisor

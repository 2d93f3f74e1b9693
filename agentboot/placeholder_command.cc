// `agentboot placeholder ensure`: the offline template agent KEDA and empty pools need, created
// when missing and its capabilities kept in step (fleet.h).
#include <iostream>

#include "agentboot/devops.h"
#include "agentboot/fleet.h"

#include "admin_flags.h"
#include "commands.h"
#include "exit_codes.h"
#include "run_flags.h"
#include <unistd.h>

namespace agentboot::cli {
namespace {

struct PlaceholderFlags {
  std::string url;
  std::string pool = "Default";
  std::string agent_name;
  std::string agent_version = "0.0.0";
  std::vector<std::string> capabilities;
};

Result<std::map<std::string, std::string>> ParseCapabilityList(
    const std::vector<std::string>& list) {
  std::map<std::string, std::string> caps;
  for (const auto& item : list) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidArgument, "--capability " + item, "expected key=value",
                  "Write capabilities as --capability name=value.");
    }
    caps[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return caps;
}

std::string HostNameOrEmpty() {
  char buffer[256] = {};
  return ::gethostname(buffer, sizeof buffer - 1) == 0 ? std::string(buffer) : std::string();
}

int RunEnsure(App& app, const PlaceholderFlags& flags) {
  if (auto ok = RequireUrl(flags.url, "placeholder ensure"); !ok) return FailedStage(ok.error());
  if (flags.agent_name.empty()) {
    return FailedStage(MakeError(ErrorCode::kInvalidArgument, "placeholder ensure", "no agent name",
                                 "Pass --agent-name (e.g. keda-template)."));
  }
  auto caps = ParseCapabilityList(flags.capabilities);
  if (!caps) return FailedStage(caps.error());
  fleet::PlaceholderOptions options;
  options.server_url = flags.url;
  options.pool = flags.pool;
  options.agent_name = flags.agent_name;
  options.agent_version = flags.agent_version;
  options.host_name = HostNameOrEmpty();
  options.capabilities = *caps;
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), app.env());
  auto result = fleet::EnsurePlaceholder(client, app.env(), options);
  if (!result) return FailedStage(result.error());
  std::cout << "placeholder '" << flags.agent_name << "' (id " << result->agent_id << ") in pool '"
            << result->pool_name << "': " << fleet::PlaceholderOutcomeName(result->outcome) << "\n";
  for (const auto& [key, value] : result->added)
    std::cout << "  set " << key << "=" << value << "\n";
  for (const auto& key : result->removed) std::cout << "  removed " << key << "\n";
  return kExitOk;
}

}  // namespace

Runner RegisterPlaceholderCommand(CLI::App& parent) {
  auto flags = std::make_shared<PlaceholderFlags>();
  CLI::App* placeholder = parent.add_subcommand(
      "placeholder", "Manage the offline template agent that keeps an empty pool accepting jobs");
  placeholder->require_subcommand(1);
  CLI::App* ensure = placeholder->add_subcommand(
      "ensure",
      "Make sure the placeholder agent exists with exactly these capabilities (idempotent: "
      "creates it, re-creates it after a deletion, updates its capabilities)");
  ensure->footer(
      "Azure Pipelines rejects a job at queue time when no agent in the pool (online or\n"
      "offline) matches its demands; KEDA's scaler also reads the placeholder's capabilities.\n"
      "The placeholder never runs a listener and `agentboot prune` never deletes it.\n"
      "Run it from a Kubernetes CronJob or init container:\n"
      "  agentboot placeholder ensure --url https://dev.azure.com/org --pool k8s \\\n"
      "      --agent-name keda-template --capability docker=true --capability java=21");
  ensure->add_option("--url", flags->url, "Organization URL, https://dev.azure.com/<org>")
      ->envname("AZP_URL");
  ensure->add_option("--pool", flags->pool, "Agent pool name")->envname("AZP_POOL");
  ensure->add_option("--agent-name", flags->agent_name, "The placeholder's name (required)")
      ->envname("AGENTBOOT_PLACEHOLDER_NAME");
  ensure->add_option("--capability", flags->capabilities,
                     "A capability of the worker image, key=value (repeat); others are removed");
  ensure->add_option("--agent-version", flags->agent_version,
                     "Agent version to report (match your workers when jobs demand a version)");
  return [flags](App& app) { return RunEnsure(app, *flags); };
}

}  // namespace agentboot::cli

// `agentboot prune`: delete the offline agents agentboot created (fleet.h has the rule).
#include <iostream>

#include <nlohmann/json.hpp>

#include "agentboot/devops.h"
#include "agentboot/fleet.h"

#include "admin_flags.h"
#include "commands.h"
#include "exit_codes.h"
#include "run_flags.h"

namespace agentboot::cli {
namespace {

struct PruneFlags {
  std::string url;
  std::vector<std::string> pools;
  std::string older_than = "24h";
  bool apply = false;
  std::string output = "table";
};

std::string OfflineFor(const fleet::PruneRow& row, TimePoint now) {
  if (!EqualsIgnoreCase(row.status, "offline")) return "-";
  if (!row.status_changed_on) return "unknown";
  return FormatAge(std::chrono::duration_cast<Duration>(now - *row.status_changed_on));
}

std::string Why(const fleet::PruneRow& row) {
  if (!row.detail.empty()) return row.detail;
  return row.verdict == fleet::Verdict::kDelete ? "" : std::string(fleet::VerdictName(row.verdict));
}

void PrintTable(const fleet::PruneReport& report, const PruneFlags& flags, TimePoint now) {
  std::vector<std::vector<std::string>> rows = {
      {"POOL", "AGENT", "ID", "STATUS", "OFFLINE FOR", "ACTION", "WHY"}};
  for (const fleet::PruneRow& row : report.rows) {
    rows.push_back({row.pool_name, row.agent_name, std::to_string(row.agent_id), row.status,
                    OfflineFor(row, now), std::string(fleet::ActionName(row.action)), Why(row)});
  }
  std::cout << FormatTable(rows);
  std::cout << report.rows.size() << " agent(s) in " << report.pools.size() << " pool(s); "
            << report.candidates << " offline longer than " << flags.older_than << " and prunable";
  if (flags.apply) {
    std::cout << "; " << report.deleted << " deleted\n";
  } else {
    std::cout << ". Dry run: nothing was deleted; add --apply to delete them.\n";
  }
}

void PrintJson(const fleet::PruneReport& report, const PruneFlags& flags, Duration older_than) {
  nlohmann::json agents = nlohmann::json::array();
  for (const fleet::PruneRow& row : report.rows) {
    agents.push_back(
        {{"pool", row.pool_name},
         {"pool_id", row.pool_id},
         {"id", row.agent_id},
         {"name", row.agent_name},
         {"status", row.status},
         {"status_changed_on",
          row.status_changed_on ? nlohmann::json(FormatUtc(*row.status_changed_on)) : nullptr},
         {"verdict", std::string(fleet::VerdictName(row.verdict))},
         {"action", std::string(fleet::ActionName(row.action))},
         {"detail", row.detail}});
  }
  nlohmann::json out = {
      {"dry_run", !flags.apply},
      {"older_than_seconds", std::chrono::duration_cast<std::chrono::seconds>(older_than).count()},
      {"pools", report.pools},
      {"agents", agents},
      {"candidates", report.candidates},
      {"deleted", report.deleted},
      {"error", report.error ? nlohmann::json(report.error->ToString()) : nullptr}};
  std::cout << out.dump(2) << "\n";
}

int RunPrune(App& app, const PruneFlags& flags) {
  if (auto ok = RequireUrl(flags.url, "prune"); !ok) return FailedStage(ok.error());
  auto older_than = ParseAdminDuration("--older-than", flags.older_than);
  if (!older_than) return FailedStage(older_than.error());
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), app.env());
  auto server = fleet::NewDevopsFleetServer(client, app.transport(), flags.url);
  fleet::PruneOptions options;
  options.pools = flags.pools;
  options.older_than = *older_than;
  options.apply = flags.apply;
  const fleet::PruneReport report = fleet::Prune(*server, app.env(), options);
  if (flags.output == "json") {
    PrintJson(report, flags, *older_than);
  } else if (!report.rows.empty() || !report.error) {
    PrintTable(report, flags, report.server_now.value_or(app.env().clock.Now()));
  }
  if (report.error) return FailedStage(*report.error);
  return kExitOk;
}

}  // namespace

Runner RegisterPruneCommand(CLI::App& parent) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command = parent.add_subcommand(
      "prune",
      "Delete dead agents that agentboot registered: offline longer than --older-than, no job "
      "assigned, never placeholders. Dry run unless --apply.");
  command->footer(
      "Only agents carrying agentboot's capability mark are considered; agents registered by\n"
      "other tools, placeholders, online agents and agents with a job are always kept. Each\n"
      "agent is read again right before it is deleted. Every deletion is logged (stderr).\n"
      "Examples:\n"
      "  agentboot prune --url https://dev.azure.com/org --older-than 2h          # what would go\n"
      "  agentboot prune --url https://dev.azure.com/org --pool linux --apply     # delete\n"
      "  agentboot prune --older-than 1d --output json                            # for scripts");
  command->add_option("--url", flags->url, "Organization URL, https://dev.azure.com/<org>")
      ->envname("AZP_URL");
  command->add_option("--pool", flags->pools,
                      "Pool to clean (repeat for several; default: every pool this identity "
                      "administers)");
  command->add_option("--older-than", flags->older_than,
                      "Minimum time offline before an agent is pruned: 90s, 45m, 12h, 30d "
                      "(default 24h)");
  command->add_flag("--apply", flags->apply, "Delete the agents (default: only show them)");
  AddOutputOption(*command, flags->output);
  return [flags](App& app) { return RunPrune(app, *flags); };
}

}  // namespace agentboot::cli

// `agentboot doctor`: every prerequisite in order, a table (check, result, the one thing to do),
// --output json, exit 0 only when no check fails.
#include <iostream>

#include <nlohmann/json.hpp>

#include "agentboot/jose.h"

#include "admin_flags.h"
#include "commands.h"
#include "doctor_checks.h"
#include "exit_codes.h"
#include "run_flags.h"

namespace agentboot::cli {
namespace {

using doctor::Check;
using doctor::Outcome;

// Acquires a token and judges its claims; nullopt-equivalent (kFail) when none came.
Check CheckToken(App& app) {
  auto token = app.tokens().GetToken({});
  if (!token) {
    return Check{"token", Outcome::kFail, token.error().detail,
                 token.error().advice.empty() ? "See the identity source check above."
                                              : token.error().advice};
  }
  if (token->is_pat) return Check{"token", Outcome::kPass, "a PAT (no claims to check)", ""};
  auto jwt = jose::DecodeJwt(token->token.Reveal());
  if (!jwt) {
    return Check{"token", Outcome::kWarn, "from " + token->source + ", not a JWT",
                 "Azure DevOps expects an Entra access token; check the identity source."};
  }
  Check check = doctor::CheckTokenClaims(jwt->claims, app.env().clock.Now());
  check.name = "token";
  check.result = "from " + token->source + ": " + check.result;
  return check;
}

std::vector<Check> ServerChecks(App& app, const DoctorFlags& flags, bool have_token) {
  std::vector<Check> checks;
  const char* names[] = {"organization access", "clock skew", "pool", "registered agent"};
  if (flags.url.empty()) {
    for (const char* name : names) checks.push_back(Skipped(name, "no --url (AZP_URL) given"));
    return checks;
  }
  checks.push_back(CheckClock(app, flags.url));  // needs no token
  if (!have_token) {
    for (const char* name : {names[0], names[2], names[3]}) {
      checks.push_back(Skipped(name, "needs a token"));
    }
    return checks;
  }
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), app.env());
  checks.insert(checks.begin(), CheckOrganization(client));
  if (checks.front().outcome == Outcome::kFail) {
    checks.push_back(Skipped("pool", "the organization refused the identity"));
    checks.push_back(Skipped("registered agent", "the organization refused the identity"));
    return checks;
  }
  checks.push_back(CheckPool(client, flags.pool));
  checks.push_back(CheckAgentOnServer(app, client, flags));
  return checks;
}

std::vector<Check> RunChecks(App& app, const DoctorFlags& flags) {
  std::vector<Check> checks;
  checks.push_back(doctor::ExplainIdentitySource(app.options().identity, app.env().vars));
  checks.push_back(CheckWorkloadFile(app));
  checks.push_back(CheckToken(app));
  const bool have_token = checks.back().outcome != Outcome::kFail;
  for (Check& check : ServerChecks(app, flags, have_token)) checks.push_back(std::move(check));
  checks.push_back(CheckProxyAndCa(app));
  checks.push_back(CheckAgentDirectory(app, flags));
  checks.push_back(CheckPackageCache(app, flags));
  checks.push_back(CheckDiskSpace(app, flags));
  checks.push_back(CheckRunAsUser(app, flags));
  return checks;
}

void Print(const std::vector<Check>& checks, const std::string& output, bool ok) {
  if (output == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const Check& c : checks) {
      list.push_back({{"check", c.name},
                      {"outcome", std::string(doctor::OutcomeName(c.outcome))},
                      {"result", c.result},
                      {"fix", c.fix}});
    }
    std::cout << nlohmann::json{{"ok", ok}, {"checks", list}}.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"CHECK", "", "RESULT", "TO DO"}};
  for (const Check& c : checks) {
    rows.push_back({c.name, std::string(doctor::OutcomeName(c.outcome)), c.result, c.fix});
  }
  std::cout << FormatTable(rows)
            << (ok ? "All checks passed.\n" : "Some checks failed: do what TO DO says.\n");
}

int RunDoctor(App& app, const DoctorFlags& flags) {
  const std::vector<Check> checks = RunChecks(app, flags);
  bool ok = true;
  for (const Check& check : checks) ok = ok && check.outcome != Outcome::kFail;
  Print(checks, flags.output, ok);
  return ok ? kExitOk : kExitChecksFailed;
}

}  // namespace

Runner RegisterDoctorCommand(CLI::App& parent) {
  auto flags = std::make_shared<DoctorFlags>();
  CLI::App* command = parent.add_subcommand(
      "doctor",
      "Check every prerequisite (identity, token, organization, pool role, clock, proxy, "
      "directories, the registered agent) and say what to fix");
  command->footer(
      "Prints one row per check: ok, warn, FAIL or skip, what was found, and the one thing to\n"
      "do. Exits 0 when no check FAILs (warnings do not fail), 30 otherwise.\n"
      "Examples:\n"
      "  agentboot doctor --url https://dev.azure.com/org --pool linux\n"
      "  agentboot --identity workload doctor --output json\n"
      "  agentboot doctor --agent-dir /opt/agent --run-as azp    # also the agent and its user");
  command->add_option("--url", flags->url, "Organization URL, https://dev.azure.com/<org>")
      ->envname("AZP_URL");
  command->add_option("--pool", flags->pool, "Agent pool name (default Default)")
      ->envname("AZP_POOL");
  command->add_option("--agent-dir", flags->agent_dir, "The agent's root directory")
      ->envname("AGENTBOOT_AGENT_DIR");
  command->add_option("--cache-dir", flags->cache_dir, "Where agent versions are cached")
      ->envname("AGENTBOOT_CACHE_DIR");
  command
      ->add_option("--run-as", flags->run_as,
                   "The user `agentboot run` would start the listener as")
      ->envname("AGENTBOOT_RUN_AS");
  AddOutputOption(*command, flags->output);
  return [flags](App& app) { return RunDoctor(app, *flags); };
}

}  // namespace agentboot::cli

// Identity judgements of `agentboot doctor`: the source the environment selects, the token.
#include <array>

#include "agentboot/doctor.h"

namespace agentboot::doctor {
namespace {

struct SourceNeeds {
  std::string_view name;
  std::vector<std::string_view> variables;  // all must be set (empty: no variable needed)
  std::string_view needs;                   // for the "what the others need" list
};

// The chain's order (identity module, make_source.cc).
const std::array<SourceNeeds, 6>& Sources() {
  static const std::array<SourceNeeds, 6> sources = {{
      {"workload",
       {"AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"},
       "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID (AKS workload identity)"},
      {"appservice",
       {"IDENTITY_ENDPOINT", "IDENTITY_HEADER"},
       "IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service, Container Apps, Functions)"},
      {"cloudshell", {"MSI_ENDPOINT"}, "MSI_ENDPOINT (Cloud Shell)"},
      {"arc", {"IDENTITY_ENDPOINT", "IMDS_ENDPOINT"}, "IDENTITY_ENDPOINT and IMDS_ENDPOINT (Arc)"},
      {"imds", {}, "an Azure VM or scale set with a managed identity (IMDS, 169.254.169.254)"},
      {"azcli", {}, "az login (the Azure CLI), for an administrator's machine"},
  }};
  return sources;
}

bool HasAll(const SourceNeeds& source, const Environment& vars) {
  for (std::string_view name : source.variables) {
    if (!vars.GetNonEmpty(name)) return false;
  }
  return true;
}

std::string Claim(const nlohmann::json& claims, const char* key) {
  const auto it = claims.find(key);
  if (it == claims.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kPass:
      return "ok";
    case Outcome::kWarn:
      return "warn";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kSkip:
      return "skip";
  }
  return "ok";
}

Check ExplainIdentitySource(std::string_view requested, const Environment& vars) {
  Check check{"identity source", Outcome::kPass, "", ""};
  const std::string wanted = ToLower(Trim(requested));
  std::string others;
  std::string selected;
  for (const SourceNeeds& source : Sources()) {
    const bool usable = HasAll(source, vars);
    if (selected.empty() && usable && (wanted == "auto" || wanted == source.name)) {
      selected = std::string(source.name);
      continue;
    }
    if (wanted == source.name && !usable) {
      check.outcome = Outcome::kFail;
      check.result = "--identity " + wanted + " is forced, but its variables are missing";
      check.fix = "Set " + std::string(source.needs) + ", or use --identity auto.";
      return check;
    }
    if (!others.empty()) others += "; ";
    others += std::string(source.name) + " needs " + std::string(source.needs);
  }
  if (wanted == "pat") {
    check.result = "pat (AZP_TOKEN or AZP_TOKEN_FILE)";
    return check;
  }
  check.result =
      selected +
      (wanted == "auto" ? " (first usable source in the auto order)" : " (forced by --identity)") +
      "; others: " + others;
  if (vars.GetNonEmpty("AZURE_CLIENT_ID") && selected == "imds") {
    check.result += "; AZURE_CLIENT_ID selects the user-assigned identity";
  }
  return check;
}

Check CheckTokenClaims(const nlohmann::json& claims, TimePoint now) {
  Check check{"token claims", Outcome::kPass, "", ""};
  const std::string aud = Claim(claims, "aud");
  std::string appid = Claim(claims, "appid");
  if (appid.empty()) appid = Claim(claims, "azp");
  const auto exp = claims.find("exp");
  const bool has_exp = exp != claims.end() && exp->is_number_integer();
  const int64_t expires = has_exp ? exp->get<int64_t>() : 0;
  check.result = "oid " + Claim(claims, "oid") + ", appid " + appid + ", tid " +
                 Claim(claims, "tid") + ", aud " + aud + ", expires " +
                 (has_exp ? FormatUtc(FromUnixSeconds(expires)) : std::string("never?"));
  constexpr std::string_view kDevOps = "499b84ac-1321-427f-aa17-267ca6975798";
  if (aud != kDevOps && aud != "api://" + std::string(kDevOps)) {
    check.outcome = Outcome::kFail;
    check.fix = "The token is not for Azure DevOps: request resource " + std::string(kDevOps) +
                " (agentboot does unless the source overrides it).";
  } else if (!has_exp || FromUnixSeconds(expires) <= now) {
    check.outcome = Outcome::kFail;
    check.fix = "The token has expired: check the host's clock and the identity endpoint.";
  } else if (Claim(claims, "oid").empty()) {
    check.outcome = Outcome::kWarn;
    check.fix =
        "No oid claim: Azure DevOps identifies callers by oid; use a managed identity "
        "or service principal.";
  }
  return check;
}

}  // namespace agentboot::doctor

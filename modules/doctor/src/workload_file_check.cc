// The workload-identity token file check of `agentboot doctor` (doctor.h). The claim rules follow
// Entra's federated credential matching (learn.microsoft.com, "Workload identity federation":
// issuer and subject must match byte for byte, case-sensitive; the audience is
// api://AzureADTokenExchange) and Kubernetes' projected service account tokens
// (sub "system:serviceaccount:<namespace>:<name>").
#include <cctype>

#include "agentboot/doctor.h"
#include "agentboot/jose.h"

namespace agentboot::doctor {
namespace {

bool HasOuterSpace(std::string_view text) {
  return !text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) != 0 ||
                           std::isspace(static_cast<unsigned char>(text.back())) != 0);
}

std::string Text(const nlohmann::json& claims, const char* key) {
  const auto it = claims.find(key);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool AudienceIs(const nlohmann::json& claims, std::string_view wanted) {
  const auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get<std::string>() == wanted;
  if (!it->is_array()) return false;
  for (const auto& one : *it) {
    if (one.is_string() && one.get<std::string>() == wanted) return true;
  }
  return false;
}

// The first problem of the claims, as the fix sentence; empty when none.
std::string ClaimProblem(const nlohmann::json& claims, TimePoint now) {
  const std::string iss = Text(claims, "iss");
  const std::string sub = Text(claims, "sub");
  if (iss.empty() || sub.empty())
    return "The token has no iss or sub: it is not a service "
           "account token; check the projected volume.";
  if (HasOuterSpace(iss) || HasOuterSpace(sub)) {
    return "The token's iss or sub has leading or trailing whitespace; the federated credential "
           "must match it byte for byte.";
  }
  if (!AudienceIs(claims, "api://AzureADTokenExchange")) {
    return "The token's audience is not api://AzureADTokenExchange: set the projected volume's "
           "audience (azure.workload.identity/use label on the pod).";
  }
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer() ||
      FromUnixSeconds(exp->get<int64_t>()) <= now) {
    return "The token file has expired: the kubelet no longer refreshes it; restart the pod.";
  }
  if (!StartsWith(sub, "system:serviceaccount:") || Split(sub, ':').size() != 4) {
    return "The subject is not system:serviceaccount:<namespace>:<name>; the federated "
           "credential's subject must be exactly the pod's service account.";
  }
  return "";
}

}  // namespace

Check CheckWorkloadTokenFile(std::string_view file_text, TimePoint now) {
  Check check{"workload token file", Outcome::kPass, "", ""};
  if (HasOuterSpace(file_text)) {
    check.outcome = Outcome::kWarn;
    check.fix =
        "The file has whitespace around the token (agentboot trims it; other clients "
        "may not).";
  }
  auto jwt = jose::DecodeJwt(Trim(file_text));
  if (!jwt) {
    check.outcome = Outcome::kFail;
    check.result = "not a JWT";
    check.fix = "AZURE_FEDERATED_TOKEN_FILE must hold the projected service account token.";
    return check;
  }
  const nlohmann::json& claims = jwt->claims;
  const std::string iss = Text(claims, "iss");
  check.result = "iss \"" + iss + "\", sub \"" + Text(claims, "sub") + "\", aud " +
                 (claims.contains("aud") ? claims.at("aud").dump() : "none") + ", exp " +
                 (claims.contains("exp") && claims.at("exp").is_number_integer()
                      ? FormatUtc(FromUnixSeconds(claims.at("exp").get<int64_t>()))
                      : std::string("none"));
  if (std::string problem = ClaimProblem(claims, now); !problem.empty()) {
    check.outcome = Outcome::kFail;
    check.fix = problem;
    return check;
  }
  if (check.outcome == Outcome::kPass) {
    check.result += !iss.empty() && iss.back() == '/'
                        ? "; the issuer ends with '/': the federated credential's must too"
                        : "; the issuer has no trailing '/': the federated credential's must not";
  }
  return check;
}

}  // namespace agentboot::doctor

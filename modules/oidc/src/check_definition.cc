// A federated identity credential on its own, against Entra's rules (entra-docs
// workload-identity-federation-considerations.md, federated-credential-configuration-considerations
// .md): issuer and subject matched byte for byte (case-sensitive), no whitespace, at most 600
// characters, no wildcards, exactly one audience, api://AzureADTokenExchange recommended.
#include "agentboot/oidc.h"

#include "check_internal.h"

namespace agentboot::oidc {
namespace {

using detail::ErrorFinding;
using detail::HasWhitespace;
using detail::Quoted;
using detail::WarningFinding;

bool IsKubernetesName(std::string_view name, bool allow_dot) {
  if (name.empty() || name.size() > 253) return false;
  for (const char c : name) {
    const bool ok = std::islower(static_cast<unsigned char>(c)) != 0 ||
                    std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' ||
                    (allow_dot && c == '.');
    if (!ok) return false;
  }
  return name.front() != '-' && name.back() != '-';
}

void CheckIssuer(const std::string& issuer, std::vector<Finding>& out) {
  if (issuer.empty()) {
    out.push_back(ErrorFinding("issuer",
                               "is empty: give the issuer URL exactly as the API server's "
                               "--service-account-issuer."));
    return;
  }
  if (auto valid = ValidateIssuer(issuer); !valid) {
    out.push_back(ErrorFinding(
        "issuer", Quoted(issuer) + " " + valid.error().detail + ": " + valid.error().advice));
    return;
  }
  const std::string host = issuer.substr(8, issuer.find('/', 8) - 8);
  if (host != ToLower(host)) {
    out.push_back(
        WarningFinding("issuer", "host " + Quoted(host) +
                                     " has upper-case letters: Entra compares the issuer "
                                     "byte for byte, so the token's iss must use the same case."));
  }
  out.push_back(WarningFinding(
      "issuer", std::string(EndsWith(issuer, "/") ? "ends with '/'" : "has no trailing '/'") +
                    ": the API server's --service-account-issuer must be written exactly the "
                    "same way (the most common cause of AADSTS70021)."));
}

void CheckSubject(const std::string& subject, std::vector<Finding>& out) {
  if (subject.empty()) {
    out.push_back(ErrorFinding("subject", "is empty: use system:serviceaccount:NAMESPACE:NAME."));
    return;
  }
  if (HasWhitespace(subject)) {
    out.push_back(ErrorFinding(
        "subject", Quoted(subject) + " contains whitespace: Entra compares subjects byte for "
                                     "byte, so no token will match; remove the whitespace."));
  }
  if (subject.size() > 600) {
    out.push_back(ErrorFinding("subject", "is longer than 600 characters (Entra's limit)."));
  }
  if (subject.find('*') != std::string::npos) {
    out.push_back(ErrorFinding("subject",
                               "contains '*': Entra does not support wildcards in "
                               "federated credentials; name one service account."));
  }
  if (!StartsWith(subject, "system:serviceaccount:")) {
    out.push_back(WarningFinding("subject",
                                 "is not a Kubernetes service-account subject "
                                 "(system:serviceaccount:NAMESPACE:NAME)."));
    return;
  }
  const auto account = KubernetesServiceAccount(Trim(subject));
  if (!account || !IsKubernetesName(account->first, false) ||
      !IsKubernetesName(account->second, true)) {
    out.push_back(ErrorFinding(
        "subject", Quoted(subject) + " is not system:serviceaccount:NAMESPACE:NAME with "
                                     "Kubernetes names (lower case letters, digits, '-'): "
                                     "subjects are case-sensitive, so it can never match."));
  }
}

void CheckAudiences(const std::vector<std::string>& audiences, std::vector<Finding>& out) {
  if (audiences.size() != 1) {
    out.push_back(ErrorFinding("audience", "Entra requires exactly one audience; give " +
                                               std::string(kRecommendedAudience) + "."));
    return;
  }
  const std::string& audience = audiences.front();
  if (audience == kRecommendedAudience) return;
  if (Trim(audience) == kRecommendedAudience || EqualsIgnoreCase(audience, kRecommendedAudience)) {
    out.push_back(ErrorFinding(
        "audience", Quoted(audience) + " differs from " + std::string(kRecommendedAudience) +
                        " only in whitespace or case: the token's aud will not "
                        "match; use it exactly."));
    return;
  }
  out.push_back(
      WarningFinding("audience", Quoted(audience) + " is not the recommended " +
                                     std::string(kRecommendedAudience) +
                                     ": the azwi webhook projects tokens for that audience."));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> KubernetesServiceAccount(
    std::string_view subject) {
  static constexpr std::string_view kPrefix = "system:serviceaccount:";
  if (!StartsWith(subject, kPrefix)) return std::nullopt;
  const std::vector<std::string> parts = Split(subject.substr(kPrefix.size()), ':');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) return std::nullopt;
  return std::make_pair(parts[0], parts[1]);
}

std::vector<Finding> CheckDefinition(const FederatedCredential& credential) {
  std::vector<Finding> findings;
  CheckIssuer(credential.issuer, findings);
  CheckSubject(credential.subject, findings);
  CheckAudiences(credential.audiences, findings);
  return findings;
}

bool CheckReport::ok() const {
  for (const Finding& finding : findings) {
    if (finding.severity == Severity::kError) return false;
  }
  return true;
}

CheckReport CheckFederatedCredential(const FederatedCredential& credential,
                                     const std::optional<std::string>& token,
                                     http::Transport* transport, int64_t now) {
  CheckReport report;
  report.findings = CheckDefinition(credential);
  if (!token) return report;
  // A token file may end in a newline. The Azure SDKs send the file raw (the newline becomes
  // %0A in client_assertion); agentboot trims it, others may not.
  const std::string text = Trim(*token);
  if (text != *token) {
    report.findings.push_back(detail::WarningFinding(
        "token",
        "the token file has leading or trailing whitespace: agentboot trims it, but "
        "SDKs that send the file raw will be refused; write the token without it."));
  }
  auto decoded = jose::DecodeJwt(text);
  if (!decoded) {
    report.findings.push_back(
        detail::ErrorFinding("token",
                             "is not a JWT (three base64url parts of JSON): give the projected "
                             "service-account token file."));
    return report;
  }
  report.claims = decoded->claims;
  for (Finding& finding : CompareClaims(credential, *decoded, now)) {
    report.findings.push_back(std::move(finding));
  }
  if (transport != nullptr) {
    for (Finding& finding : VerifyWithIssuer(*transport, text, *decoded, now)) {
      report.findings.push_back(std::move(finding));
    }
  }
  return report;
}

}  // namespace agentboot::oidc

// A token's claims against a federated credential, compared as Entra compares them (byte for
// byte), with the likely cause named when they differ only by a trailing slash, whitespace or case.
#include "agentboot/oidc.h"

#include "check_internal.h"

namespace agentboot::oidc {
namespace {

using detail::ErrorFinding;
using detail::Quoted;
using detail::WarningFinding;

std::string StringClaim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string StripSlashes(std::string_view text) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return std::string(text);
}

// Why `presented` (token) differs from `configured` (credential), in a few words.
std::string Cause(const std::string& presented, const std::string& configured) {
  if (Trim(presented) == Trim(configured)) return "they differ only in whitespace";
  if (StripSlashes(presented) == StripSlashes(configured)) {
    return "they differ only in the trailing '/'";
  }
  if (EqualsIgnoreCase(presented, configured)) return "they differ only in upper/lower case";
  return "they differ";
}

void Compare(const char* field, const char* claim, const std::string& presented,
             const std::string& configured, int code, std::vector<Finding>& out) {
  if (presented == configured) return;
  out.push_back(ErrorFinding(field, std::string("token ") + claim + " " + Quoted(presented) +
                                        " does not match the credential's " + Quoted(configured) +
                                        ": " + Cause(presented, configured) + " (Entra: AADSTS" +
                                        std::to_string(code) + "). Make them identical."));
}

std::vector<std::string> Audiences(const nlohmann::json& claims) {
  std::vector<std::string> out;
  const auto it = claims.find("aud");
  if (it == claims.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& aud : *it) {
      if (aud.is_string()) out.push_back(aud.get<std::string>());
    }
  }
  return out;
}

void CompareAudience(const FederatedCredential& credential, const nlohmann::json& claims,
                     std::vector<Finding>& out) {
  const std::vector<std::string> presented = Audiences(claims);
  for (const std::string& wanted : credential.audiences) {
    for (const std::string& aud : presented) {
      if (aud == wanted) return;
    }
  }
  const std::string first = presented.empty() ? std::string() : presented.front();
  const std::string wanted = credential.audiences.empty() ? "" : credential.audiences.front();
  Compare("audience", "aud", first, wanted, 700212, out);
}

void CheckTimes(const nlohmann::json& claims, int64_t now, std::vector<Finding>& out) {
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) {
    out.push_back(ErrorFinding("token", "has no numeric exp claim: Entra refuses it."));
  } else if (exp->get<int64_t>() <= now) {
    out.push_back(ErrorFinding("token", "expired at " +
                                            FormatUtc(FromUnixSeconds(exp->get<int64_t>())) +
                                            " (Entra: AADSTS700024): read the token file again, "
                                            "kubelet rotates it."));
  }
  const auto nbf = claims.find("nbf");
  if (nbf != claims.end() && nbf->is_number_integer() && nbf->get<int64_t>() > now + 300) {
    out.push_back(ErrorFinding("token", "is not valid before " +
                                            FormatUtc(FromUnixSeconds(nbf->get<int64_t>())) +
                                            ": check the clocks of the cluster and this host."));
  }
}

}  // namespace

std::vector<Finding> CompareClaims(const FederatedCredential& credential, const jose::Jwt& token,
                                   int64_t now) {
  std::vector<Finding> findings;
  if (StringClaim(token.header, "alg") != "RS256") {
    findings.push_back(ErrorFinding("token", "is signed with alg " +
                                                 Quoted(StringClaim(token.header, "alg")) +
                                                 ": Entra supports RS256 issuer tokens only."));
  }
  if (StringClaim(token.header, "kid").empty()) {
    findings.push_back(WarningFinding("token",
                                      "has no kid header: Entra cannot pick the key from the "
                                      "JWKS when the issuer publishes more than one."));
  }
  Compare("issuer", "iss", StringClaim(token.claims, "iss"), credential.issuer, 700211, findings);
  Compare("subject", "sub", StringClaim(token.claims, "sub"), credential.subject, 700213, findings);
  CompareAudience(credential, token.claims, findings);
  CheckTimes(token.claims, now, findings);
  return findings;
}

}  // namespace agentboot::oidc

// Federated credential matching, as Entra does it: time window first, then issuer, subject and
// audience compared byte for byte.
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

std::string StringClaim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
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

std::optional<int64_t> IntClaim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
}

AssertionFailure Failure(int code, std::string error, std::string message) {
  return AssertionFailure{code, std::move(error), std::move(message)};
}

}  // namespace

std::optional<AssertionFailure> MatchAssertion(const nlohmann::json& claims,
                                               const std::vector<FederatedCredential>& credentials,
                                               int64_t now) {
  // Entra tolerates a little clock skew before the assertion becomes valid, none after expiry.
  constexpr int64_t kNotBeforeSkew = 300;
  const auto exp = IntClaim(claims, "exp");
  const auto nbf = IntClaim(claims, "nbf");
  if (!exp || *exp <= now || (nbf && *nbf > now + kNotBeforeSkew)) {
    const std::string valid_from = nbf ? FormatUtc(FromUnixSeconds(*nbf)) : std::string("-");
    const std::string expiry = exp ? FormatUtc(FromUnixSeconds(*exp)) : std::string("-");
    return Failure(700024, "invalid_client",
                   "Client assertion is not within its valid time range. Current time: " +
                       FormatUtc(FromUnixSeconds(now)) + ", assertion valid from " + valid_from +
                       ", expiry time of assertion " + expiry + ".");
  }

  const std::string issuer = StringClaim(claims, "iss");
  const std::string subject = StringClaim(claims, "sub");
  const std::vector<std::string> audiences = Audiences(claims);
  const std::string audience_text = audiences.empty() ? std::string() : audiences.front();
  if (credentials.empty()) {
    return Failure(70021, "invalid_request",
                   "No matching federated identity record found for presented assertion. "
                   "Assertion Issuer: '" +
                       issuer + "'. Assertion Subject: '" + subject + "'. Assertion Audience: '" +
                       audience_text + "'.");
  }

  bool issuer_matched = false;
  bool subject_matched = false;
  for (const FederatedCredential& credential : credentials) {
    if (credential.issuer != issuer) continue;
    issuer_matched = true;
    if (credential.subject != subject) continue;
    subject_matched = true;
    for (const std::string& wanted : credential.audiences) {
      for (const std::string& presented : audiences) {
        if (wanted == presented) return std::nullopt;
      }
    }
  }
  if (!issuer_matched) {
    return Failure(700211, "invalid_request",
                   "No matching federated identity record found for presented assertion issuer '" +
                       issuer +
                       "'. Please note that the matching is done using a case-sensitive "
                       "comparison.");
  }
  if (!subject_matched) {
    return Failure(700213, "invalid_request",
                   "No matching federated identity record found for presented assertion subject '" +
                       subject +
                       "'. Check your federated identity credential Subject, Audience "
                       "and Issuer against the presented assertion.");
  }
  return Failure(700212, "invalid_request",
                 "No matching federated identity record found for presented assertion audience '" +
                     audience_text + "'.");
}

}  // namespace agentboot::sim::detail

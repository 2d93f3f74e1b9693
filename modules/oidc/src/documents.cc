// The issuer's two public documents: the OpenID discovery document and the JWKS.
#include <cctype>

#include "agentboot/oidc.h"

namespace agentboot::oidc {
namespace {

Status BadIssuer(std::string_view issuer, std::string detail, std::string advice) {
  return Fail(ErrorCode::kInvalidArgument, "issuer '" + std::string(issuer) + "'",
              std::move(detail), std::move(advice));
}

std::string WithoutTrailingSlashes(std::string_view text) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

Status ValidateIssuer(std::string_view issuer) {
  for (const char c : issuer) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0 ||
        std::iscntrl(static_cast<unsigned char>(c)) != 0) {
      return BadIssuer(issuer, "contains whitespace",
                       "Entra blocks issuers with whitespace: remove it.");
    }
  }
  if (!StartsWith(issuer, "https://")) {
    return BadIssuer(issuer, "is not an https URL",
                     "Entra fetches the issuer's documents over HTTPS only: use https://.");
  }
  const std::string_view rest = issuer.substr(8);
  if (rest.empty() || rest.front() == '/') {
    return BadIssuer(issuer, "has no host", "Give the full URL, e.g. https://HOST/PATH/.");
  }
  if (issuer.find_first_of("?#") != std::string_view::npos) {
    return BadIssuer(issuer, "has a query or fragment",
                     "An OIDC issuer is a plain https URL without ? or #.");
  }
  if (issuer.size() > 600) {
    return BadIssuer(issuer, "is longer than 600 characters",
                     "Entra limits federated credential issuers to 600 characters.");
  }
  return {};
}

std::string JwksUri(std::string_view issuer) {
  return WithoutTrailingSlashes(issuer) + "/" + std::string(kJwksPath);
}

Result<std::string> DiscoveryDocument(std::string_view issuer) {
  if (auto valid = ValidateIssuer(issuer); !valid) return Fail(valid.error());
  nlohmann::ordered_json document;
  document["issuer"] = std::string(issuer);
  document["jwks_uri"] = JwksUri(issuer);
  document["response_types_supported"] = {"id_token"};
  document["subject_types_supported"] = {"public"};
  document["id_token_signing_alg_values_supported"] = {"RS256"};
  return document.dump(2);
}

std::string Jwks(const std::vector<jose::RsaKey>& keys) {
  std::vector<const jose::RsaKey*> pointers;
  pointers.reserve(keys.size());
  for (const jose::RsaKey& key : keys) pointers.push_back(&key);
  return jose::AzwiJwks(pointers);
}

}  // namespace agentboot::oidc

#include "devops_credentials.h"

#include <algorithm>

#include "agentboot/jose.h"

namespace agentboot::sim::detail {

Credential ParseAuthorization(const std::optional<std::string>& header) {
  Credential credential;
  if (!header || Trim(*header).empty()) return credential;
  const std::string value = Trim(*header);
  const size_t space = value.find(' ');
  credential.kind = Credential::Kind::kMalformed;
  if (space == std::string::npos) return credential;
  const std::string scheme = value.substr(0, space);
  const std::string rest = Trim(value.substr(space + 1));
  if (rest.empty()) return credential;
  if (EqualsIgnoreCase(scheme, "Bearer")) {
    credential.kind = Credential::Kind::kBearer;
    credential.secret = Secret(rest);
  } else if (EqualsIgnoreCase(scheme, "Basic")) {
    Result<std::string> decoded = jose::Base64Decode(rest);
    if (!decoded) return credential;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return credential;
    credential.kind = Credential::Kind::kBasic;
    credential.user = decoded->substr(0, colon);
    credential.secret = Secret(decoded->substr(colon + 1));
  }
  return credential;
}

bool LooksLikeJwt(std::string_view text) {
  return std::count(text.begin(), text.end(), '.') == 2 && text.size() > 20;
}

}  // namespace agentboot::sim::detail

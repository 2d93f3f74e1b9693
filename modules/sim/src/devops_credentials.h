// Parsing of the Authorization header the way Azure DevOps accepts it: Bearer <jwt>, or Basic
// with any user name and a PAT (or, as config.sh's PAT provider sends it, an Entra access token)
// in the password slot. Pure.
#pragma once

#include <optional>
#include <string>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

struct Credential {
  enum class Kind { kNone, kBearer, kBasic, kMalformed };
  Kind kind = Kind::kNone;
  std::string user;  // Basic only
  Secret secret;     // the bearer token or the Basic password
};

Credential ParseAuthorization(const std::optional<std::string>& header);

// True when the text looks like a compact JWS (three dot-separated parts): a Basic password
// that is a JWT is verified as an access token, anything else is looked up as a PAT.
bool LooksLikeJwt(std::string_view text);

}  // namespace agentboot::sim::detail

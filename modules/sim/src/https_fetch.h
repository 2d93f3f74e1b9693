// A small HTTPS GET for the sim's own outbound calls (Entra fetching an issuer's discovery
// document and JWKS), trusting only the given CA files.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

// GETs `url` (https only) and parses the 200 body as JSON. kUnavailable for connection, TLS or
// status failures; kInvalidArgument for a non-https URL or a body that is not JSON.
// `extra_ca_file`, when not empty, adds the certificates of that PEM file to the trusted CAs.
[[nodiscard]] Result<nlohmann::json> FetchJson(const std::string& url, const std::string& ca_file,
                                               const std::string& extra_ca_file = {});

}  // namespace agentboot::sim::detail

// A minimal HTTP(S) client for the fake listener, on Poco (never agentboot's http module).
// HTTPS trusts the CA file named by SSL_CERT_FILE when set, as .NET on Linux does.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::fake_agent {

struct HttpAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const;  // all values joined by ", "
};

// kUnavailable on socket/TLS errors (the listener's exit code 2).
[[nodiscard]] Result<HttpAnswer> Send(
    const std::string& method, const std::string& url,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
    const std::string& ca_file);

}  // namespace agentboot::fake_agent

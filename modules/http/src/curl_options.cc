#include "agentboot/http.h"

namespace agentboot::http {
namespace {

// curl and most tools read the lower-case spelling first; the upper-case one is the fallback.
std::string FirstOf(const Environment& vars, std::string_view lower, std::string_view upper) {
  if (auto value = vars.GetNonEmpty(lower)) return Trim(*value);
  if (auto value = vars.GetNonEmpty(upper)) return Trim(*value);
  return {};
}

}  // namespace

CurlOptions CurlOptionsFromEnvironment(const Environment& vars, std::string ca_file_flag) {
  CurlOptions options;
  options.https_proxy = FirstOf(vars, "https_proxy", "HTTPS_PROXY");
  options.http_proxy = FirstOf(vars, "http_proxy", "HTTP_PROXY");
  options.no_proxy = FirstOf(vars, "no_proxy", "NO_PROXY");
  if (!ca_file_flag.empty()) {
    options.ca_file = std::move(ca_file_flag);
  } else if (auto ssl_cert_file = vars.GetNonEmpty("SSL_CERT_FILE")) {
    options.ca_file = Trim(*ssl_cert_file);
  }
  return options;
}

}  // namespace agentboot::http

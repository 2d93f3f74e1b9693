// Where a bearer token may be sent (security-review M6).
#include <cctype>

#include "agentboot/devops.h"

namespace agentboot::devops {
namespace {

// The host of "scheme://[user@]host[:port][/path]": lower case, IPv6 without brackets.
std::string HostOf(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    return close == std::string_view::npos ? std::string() : ToLower(rest.substr(1, close - 1));
  }
  return ToLower(rest.substr(0, rest.find(':')));
}

bool IsLoopbackIpv4(const std::string& host) {
  const auto parts = Split(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (const auto& part : parts) {
    const auto value = ParseInt64(part);
    if (part.empty() || part.size() > 3 || !value || *value < 0 || *value > 255) return false;
  }
  return true;
}

}  // namespace

bool IsLoopbackUrl(std::string_view url) {
  const std::string host = HostOf(url);
  return host == "localhost" || host == "::1" || IsLoopbackIpv4(host);
}

Status CheckOrganizationUrl(std::string_view url) {
  const std::string lower = ToLower(url);
  if (StartsWith(lower, "https://") && !HostOf(url).empty()) return {};
  if (StartsWith(lower, "http://") && IsLoopbackUrl(url)) return {};
  const std::string context = "organization URL " + std::string(url);
  if (StartsWith(lower, "http://")) {
    return Fail(ErrorCode::kInvalidArgument, context,
                "plain http would send agentboot's bearer token in clear",
                "Use the https:// URL (https://dev.azure.com/<org>); only --allow-insecure-url "
                "accepts http, and anyone on the path can then take the token.");
  }
  return Fail(ErrorCode::kInvalidArgument, context, "is not an https:// URL",
              "Pass the organization as https://dev.azure.com/<org> (or your server's https URL).");
}

}  // namespace agentboot::devops

#include "redact.h"

#include <array>

#include "agentboot/base.h"

namespace agentboot::http::detail {
namespace {

constexpr std::array<std::string_view, 3> kVisibleParameters = {"api-version", "resource",
                                                                "client_id"};

bool IsVisible(std::string_view key) {
  const std::string decoded = UrlDecode(key);
  for (const std::string_view allowed : kVisibleParameters) {
    if (EqualsIgnoreCase(decoded, allowed)) return true;
  }
  return false;
}

// "https://user:pass@host/path" -> "https://***@host/path": proxy-style credentials in a URL.
std::string RedactUserInfo(std::string_view base) {
  const size_t scheme_end = base.find("://");
  if (scheme_end == std::string_view::npos) return std::string(base);
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = base.find('/', authority_start);
  const std::string_view authority = base.substr(authority_start, authority_end - authority_start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(base);
  std::string out(base.substr(0, authority_start));
  out += "***";
  out += base.substr(authority_start + at);
  return out;
}

}  // namespace

std::string RedactUrl(std::string_view url) {
  url = url.substr(0, url.find('#'));
  const size_t question = url.find('?');
  std::string out = RedactUserInfo(url.substr(0, question));
  if (question == std::string_view::npos) return out;
  out += '?';
  bool first = true;
  for (const std::string& part : Split(url.substr(question + 1), '&')) {
    if (!first) out += '&';
    first = false;
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      // A bare token could itself be a secret ("?sig"): only allow-listed names stay.
      out += IsVisible(part) ? part : std::string("***");
    } else if (IsVisible(std::string_view(part).substr(0, eq))) {
      out += part;
    } else {
      out += part.substr(0, eq);
      out += "=***";
    }
  }
  return out;
}

}  // namespace agentboot::http::detail

#include "agentboot/http.h"

namespace agentboot::http {

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out += '&';
    out += UrlEncode(key);
    out += '=';
    out += UrlEncode(value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const std::string& part : Split(body, '&')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      fields.emplace_back(UrlDecode(part), std::string());
    } else {
      fields.emplace_back(UrlDecode(std::string_view(part).substr(0, eq)),
                          UrlDecode(std::string_view(part).substr(eq + 1)));
    }
  }
  return fields;
}

}  // namespace agentboot::http

#include "agentboot/http.h"

namespace agentboot::http {

std::optional<std::string> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

bool Response::IsJson() const {
  const auto content_type = Header("Content-Type");
  if (!content_type) return false;
  // The media type is everything before the first ';' ("application/json; charset=utf-8").
  const std::string media = ToLower(Trim(Split(*content_type, ';').front()));
  return media == "application/json" ||
         (StartsWith(media, "application/") && EndsWith(media, "+json"));
}

}  // namespace agentboot::http

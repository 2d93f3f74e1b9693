// HttpRequest / HttpResponse helpers shared by every handler group.
#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

std::map<std::string, std::string> ParseForm(std::string_view text) {
  std::map<std::string, std::string> out;
  if (text.empty()) return out;
  for (const std::string& pair : Split(text, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) {
      out[UrlDecode(pair)] = "";
    } else {
      out[UrlDecode(std::string_view(pair).substr(0, eq))] =
          UrlDecode(std::string_view(pair).substr(eq + 1));
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> ParseQueryString(std::string_view query) {
  return ParseForm(query);
}

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::Query(const std::string& name) const {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, std::string> HttpRequest::Form() const { return ParseForm(body); }

HttpResponse HttpResponse::Json(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  response.body = body.dump();
  return response;
}

HttpResponse HttpResponse::Text(int status, std::string content_type, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Empty(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse& HttpResponse::With(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      existing = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

}  // namespace agentboot::sim::detail

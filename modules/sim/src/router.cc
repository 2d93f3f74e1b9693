// Router: first matching route wins; faults and the request log wrap every non-control request.
#include <thread>

#include "sim_internal.h"

namespace agentboot::sim::detail {

namespace {

bool IsControlPath(const std::string& path) { return StartsWith(path, "/_control/"); }

// Azure DevOps answers unknown routes with a wrapped exception; the sim does the same for all.
HttpResponse NotFound(const HttpRequest& request, int status) {
  nlohmann::json body = {
      {"$id", "1"},
      {"innerException", nullptr},
      {"message",
       "The resource cannot be found. Method: " + request.method + ", path: " + request.path},
      {"typeName", "Microsoft.VisualStudio.Services.WebApi.ResourceNotFoundException"},
      {"typeKey", "ResourceNotFoundException"},
      {"errorCode", 0},
      {"eventId", 3000},
  };
  return HttpResponse::Json(status, body);
}

// The oid of a bearer token's subject, without verifying it: for the log only.
std::string BearerIdentity(const HttpRequest& request) {
  const auto authorization = request.Header("Authorization");
  if (!authorization || !StartsWith(ToLower(*authorization), "bearer ")) return {};
  const auto jwt = jose::DecodeJwt(Trim(authorization->substr(7)));
  if (!jwt || !jwt->claims.is_object()) return {};
  const auto oid = jwt->claims.find("oid");
  return oid != jwt->claims.end() && oid->is_string() ? oid->get<std::string>() : std::string();
}

}  // namespace

void Router::Add(std::string method, const std::string& path_regex, Handler handler) {
  routes_.push_back(Route{std::move(method), std::regex(path_regex), std::move(handler)});
}

HttpResponse Router::Dispatch(HttpRequest request) const {
  const bool control = IsControlPath(request.path);
  std::optional<HttpResponse> answer;
  if (context_ != nullptr && !control) {
    FaultOutcome fault = context_->ApplyFaults(request);
    // Sleeping in this handler thread delays only this request.
    if (fault.latency.count() > 0) std::this_thread::sleep_for(fault.latency);
    answer = std::move(fault.response);
  }
  if (!answer) {
    bool path_matched = false;
    for (const Route& route : routes_) {
      std::smatch match;
      if (!std::regex_match(request.path, match, route.pattern)) continue;
      path_matched = true;
      if (route.method != "*" && route.method != request.method) continue;
      request.params.clear();
      for (size_t i = 1; i < match.size(); ++i) request.params.push_back(match[i].str());
      answer = route.handler(request);
      break;
    }
    if (!answer) answer = NotFound(request, path_matched ? 405 : 404);
  }

  std::string identity;
  for (auto it = answer->headers.begin(); it != answer->headers.end(); ++it) {
    if (EqualsIgnoreCase(it->first, kIdentityLogHeader)) {
      identity = it->second;
      answer->headers.erase(it);
      break;
    }
  }
  if (context_ != nullptr && !control) {
    // The server's clock, as every HTTP origin with a clock sends it (RFC 9110 §6.6.1): advancing
    // the simulated clock (POST /_control/clock) skews it against the client's.
    answer->With("Date", FormatRfc1123(context_->Now()));
    if (identity.empty()) identity = BearerIdentity(request);
    LoggedRequest entry;
    entry.method = request.method;
    entry.path = request.path;
    entry.query_string = request.query_string;
    entry.status = answer->status;
    entry.identity = std::move(identity);
    entry.at = context_->Now();
    context_->Record(std::move(entry));
  }
  return std::move(*answer);
}

}  // namespace agentboot::sim::detail

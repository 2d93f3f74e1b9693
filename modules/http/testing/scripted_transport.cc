#include "agentboot/http_testing.h"

namespace agentboot::http::testing {

ScriptedTransport& ScriptedTransport::Json(int status, std::string body, Headers extra) {
  Response response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  response.headers.insert(response.headers.end(), extra.begin(), extra.end());
  response.body = std::move(body);
  return Respond(std::move(response));
}

ScriptedTransport& ScriptedTransport::Respond(Response response) {
  std::lock_guard lock(mu_);
  script_.emplace_back(std::move(response));
  return *this;
}

ScriptedTransport& ScriptedTransport::FailWith(ErrorCode code, std::string detail) {
  std::lock_guard lock(mu_);
  Error error = MakeError(code, "scripted", std::move(detail));
  script_.emplace_back(tl::unexpected<Error>(std::move(error)));
  return *this;
}

void ScriptedTransport::Fallback(std::function<Result<Response>(const Request&)> handler) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(handler);
}

Result<Response> ScriptedTransport::Send(const Request& request) {
  std::function<Result<Response>(const Request&)> fallback;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      auto next = std::move(script_.front());
      script_.pop_front();
      return next;
    }
    fallback = fallback_;
  }
  if (fallback) return fallback(request);
  return Fail(ErrorCode::kInternal, request.method + " " + request.url,
              "ScriptedTransport: no response scripted for this request");
}

std::vector<Request> ScriptedTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t ScriptedTransport::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

size_t ScriptedTransport::pending() const {
  std::lock_guard lock(mu_);
  return script_.size();
}

}  // namespace agentboot::http::testing

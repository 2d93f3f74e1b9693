// ScriptedTransport: queued responses, recorded requests. Test builds only
// (target agentboot::http_testing). No sockets.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "agentboot/http.h"

namespace agentboot::http::testing {

class ScriptedTransport final : public Transport {
 public:
  // Queue a response with a JSON body (Content-Type: application/json).
  ScriptedTransport& Json(int status, std::string body, Headers extra = {});
  // Queue any response.
  ScriptedTransport& Respond(Response response);
  // Queue a transport failure (e.g. kUnavailable for a refused connection, kDeadlineExceeded).
  ScriptedTransport& FailWith(ErrorCode code, std::string detail = "scripted failure");
  // Answer every request from now on with `handler` once the queue is empty.
  void Fallback(std::function<Result<Response>(const Request&)> handler);

  Result<Response> Send(const Request& request) override;

  std::vector<Request> requests() const;
  size_t request_count() const;
  size_t pending() const;  // scripted answers not yet consumed

 private:
  mutable std::mutex mu_;
  std::deque<Result<Response>> script_;
  std::vector<Request> requests_;
  std::function<Result<Response>(const Request&)> fallback_;
};

}  // namespace agentboot::http::testing

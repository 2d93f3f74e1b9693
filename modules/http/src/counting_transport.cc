#include "agentboot/http.h"

namespace agentboot::http {

Result<Response> CountingTransport::Send(const Request& request) {
  count_.fetch_add(1, std::memory_order_relaxed);
  return inner_.Send(request);
}

}  // namespace agentboot::http

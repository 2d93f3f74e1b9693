// Poco glue: serves a Router on a plain or TLS listening socket.
#pragma once

#include <memory>

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <nlohmann/json.hpp>

#include "sim_internal.h"

namespace agentboot::sim::detail {

// One listener. Requests are converted to HttpRequest and passed to router.Dispatch with
// keep-alive on. Poco serves a connection on one pool thread for as long as it is kept alive, so
// the pool holds up to `max_connections` threads with small stacks: a fleet's listeners each keep
// one long poll open, and a short request must still find a free thread at once. `router` must
// outlive the server.
class PocoServer {
 public:
  PocoServer(const Router& router, Poco::Net::ServerSocket socket, bool tls, bool quiet,
             int max_connections);
  PocoServer(const PocoServer&) = delete;
  PocoServer& operator=(const PocoServer&) = delete;
  ~PocoServer();

  void Start();
  void Stop();  // stops accepting and aborts open connections; idempotent
  // Poco's counters: threads, open/peak/queued/refused connections, pool threads in use.
  nlohmann::json Stats() const;

 private:
  // A thread blocked in a long poll or a keep-alive read touches a few pages of its stack; the
  // handlers' deepest use (TLS handshake, JSON, std::regex over a path) fits well within this.
  static constexpr int kThreadStackBytes = 512 * 1024;
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  bool running_ = false;
};

}  // namespace agentboot::sim::detail

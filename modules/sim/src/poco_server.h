// Poco glue: serves a Router on a plain or TLS listening socket.
#pragma once

#include <memory>

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include "sim_internal.h"

namespace agentboot::sim::detail {

// One listener. Requests are converted to HttpRequest and passed to router.Dispatch on a pool of
// up to 64 threads with keep-alive on. `router` must outlive the server.
class PocoServer {
 public:
  PocoServer(const Router& router, Poco::Net::ServerSocket socket, bool tls, bool quiet);
  PocoServer(const PocoServer&) = delete;
  PocoServer& operator=(const PocoServer&) = delete;
  ~PocoServer();

  void Start();
  void Stop();  // stops accepting and aborts open connections; idempotent

 private:
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  bool running_ = false;
};

}  // namespace agentboot::sim::detail

#include "poco_server.h"

#include <cstdio>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace agentboot::sim::detail {

namespace {

class RouterHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RouterHandler(const Router& router, bool tls, bool quiet)
      : router_(router), tls_(tls), quiet_(quiet) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    HttpResponse answer;
    HttpRequest request;
    try {
      request.method = in.getMethod();
      const Poco::URI uri(in.getURI());
      request.path = uri.getPath();
      request.query_string = uri.getRawQuery();
      request.query = ParseQueryString(request.query_string);
      for (const auto& [name, value] : in) request.headers.emplace_back(name, value);
      // A request with neither Content-Length nor chunked encoding has no body (RFC 9112
      // §6.3). Poco would read such an OPTIONS or POST until the client closes the connection,
      // stalling clients that keep it open (azure-devops-node-api's OPTIONS) for the timeout.
      if (in.hasContentLength() || in.getChunkedTransferEncoding()) {
        Poco::StreamCopier::copyToString(in.stream(), request.body);
      }
      request.tls = tls_;
      answer = router_.Dispatch(request);
    } catch (const Poco::Exception& e) {
      answer = HttpResponse::Json(
          400, {{"error", "bad_request"}, {"error_description", e.displayText()}});
    } catch (const std::exception& e) {
      answer = HttpResponse::Json(500, {{"error", "internal"}, {"error_description", e.what()}});
    }
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    for (const auto& [name, value] : answer.headers) {
      if (EqualsIgnoreCase(name, "Date")) {
        out.set(name, value);  // the simulated clock's, not Poco's
      } else {
        out.add(name, value);
      }
    }
    const bool no_body = answer.status == 204 || answer.status == 304 || request.method == "HEAD";
    if (!no_body) out.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
    std::ostream& stream = out.send();
    if (!no_body) stream << answer.body;
    if (!quiet_) {
      std::fprintf(stderr, "agentboot-sim: %s %s %d\n", request.method.c_str(),
                   request.path.c_str(), answer.status);
    }
  }

 private:
  const Router& router_;
  bool tls_;
  bool quiet_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const Router& router, bool tls, bool quiet) : router_(router), tls_(tls), quiet_(quiet) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RouterHandler(router_, tls_, quiet_);
  }

 private:
  const Router& router_;
  bool tls_;
  bool quiet_;
};

}  // namespace

PocoServer::PocoServer(const Router& router, Poco::Net::ServerSocket socket, bool tls, bool quiet,
                       int max_connections)
    : pool_(2, max_connections, 60, kThreadStackBytes) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(max_connections);
  params->setMaxQueued(max_connections);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setTimeout(Poco::Timespan(30, 0));
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(router, tls, quiet), pool_, socket,
                                                    params);
}

PocoServer::~PocoServer() { Stop(); }

void PocoServer::Start() {
  server_->start();
  running_ = true;
}

nlohmann::json PocoServer::Stats() const {
  return {{"threads", server_->currentThreads()},
          {"max_threads", server_->maxThreads()},
          {"connections", server_->currentConnections()},
          {"peak_connections", server_->maxConcurrentConnections()},
          {"total_connections", server_->totalConnections()},
          {"queued_connections", server_->queuedConnections()},
          {"refused_connections", server_->refusedConnections()},
          {"pool_threads_used", pool_.used()}};
}

void PocoServer::Stop() {
  if (!running_) return;
  running_ = false;
  server_->stopAll(true);
  pool_.joinAll();
}

}  // namespace agentboot::sim::detail

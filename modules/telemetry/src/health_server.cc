#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketDefs.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "agentboot/telemetry.h"

namespace agentboot::telemetry {

namespace {

constexpr std::string_view kListenAdvice =
    "give --health-listen as ADDR:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080, :8080 or [::1]:8080";

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// "ADDR:PORT", ":PORT" (all IPv4 interfaces) or "[IPv6]:PORT". The port is required.
Result<HostPort> ParseListen(const std::string& listen) {
  const auto bad = [&](const std::string& detail) {
    return Fail(ErrorCode::kInvalidArgument, "health listen address \"" + listen + "\"", detail,
                std::string(kListenAdvice));
  };
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return bad("no port");
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad("an IPv6 address must be in brackets");
  }
  if (host.empty()) host = "0.0.0.0";
  const auto port = ParseInt64(port_text);
  if (port_text.empty() || !port || *port < 0 || *port > 65535) {
    return bad("port \"" + port_text + "\" is not a number from 0 to 65535");
  }
  return HostPort{host, static_cast<uint16_t>(*port)};
}

void Respond(Poco::Net::HTTPServerResponse& out, const std::string& method, int status,
             std::string_view content_type, const std::string& body) {
  out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  out.setContentType(std::string(content_type));
  out.set("Cache-Control", "no-store");
  out.setContentLength64(static_cast<Poco::Int64>(body.size()));
  std::ostream& stream = out.send();
  if (method != Poco::Net::HTTPRequest::HTTP_HEAD) stream << body;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(HealthModel& model, Metrics& metrics) : model_(model), metrics_(metrics) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in,
                     Poco::Net::HTTPServerResponse& out) override {
    const std::string method = in.getMethod();
    std::string path;
    try {
      path = Poco::URI(in.getURI()).getPath();
    } catch (const Poco::Exception&) {
      path.clear();  // an unparsable target is simply not one of ours
    }
    const bool known = path == "/healthz" || path == "/readyz" || path == "/metrics";
    if (!known) {
      Respond(out, method, 404, "application/json", R"({"error":"not found"})");
      return;
    }
    if (method != Poco::Net::HTTPRequest::HTTP_GET && method != Poco::Net::HTTPRequest::HTTP_HEAD) {
      out.set("Allow", "GET, HEAD");
      Respond(out, method, 405, "application/json", R"({"error":"method not allowed"})");
      return;
    }
    if (path == "/metrics") {
      Respond(out, method, 200, kPrometheusContentType, metrics_.RenderPrometheus());
      return;
    }
    const ProbeResult probe = path == "/healthz" ? model_.Healthz() : model_.Readyz();
    Respond(out, method, probe.ok ? 200 : 503, "application/json", probe.body.dump() + "\n");
  }

 private:
  HealthModel& model_;
  Metrics& metrics_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(HealthModel& model, Metrics& metrics) : model_(model), metrics_(metrics) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(model_, metrics_);
  }

 private:
  HealthModel& model_;
  Metrics& metrics_;
};

}  // namespace

struct HealthServer::Impl {
  // Probes are tiny and rare: a private pool keeps them off Poco's default pool.
  Poco::ThreadPool pool{1, 4, 60};
  std::unique_ptr<Poco::Net::HTTPServer> server;
  uint16_t port = 0;
  bool running = false;
};

Result<std::unique_ptr<HealthServer>> HealthServer::Start(const std::string& listen,
                                                          HealthModel& model, Metrics& metrics) {
  auto where = ParseListen(listen);
  if (!where) return Fail(where.error());
  const std::string context = "listen for health probes on " + listen;
  auto impl = std::make_unique<Impl>();
  try {
    const Poco::Net::SocketAddress address(where->host, where->port);
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR survives TIME_WAIT after a restart; SO_REUSEPORT stays off so a second
    // agentboot on the same port fails instead of silently sharing it.
    if (address.family() == Poco::Net::SocketAddress::IPv6) {
      socket.bind6(address, true, false, true);
    } else {
      socket.bind(address, true, false);
    }
    socket.listen(16);
    impl->port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setMaxQueued(32);
    params->setKeepAlive(true);
    params->setTimeout(Poco::Timespan(10, 0));
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(model, metrics), impl->pool,
                                                           socket, params);
    impl->server->start();
    impl->running = true;
  } catch (const Poco::Net::HostNotFoundException& e) {
    return Fail(ErrorCode::kInvalidArgument, context, e.displayText(), std::string(kListenAdvice));
  } catch (const Poco::InvalidArgumentException& e) {
    return Fail(ErrorCode::kInvalidArgument, context, e.displayText(), std::string(kListenAdvice));
  } catch (const Poco::Exception& e) {
    if (e.code() == POCO_EADDRINUSE) {
      return Fail(ErrorCode::kUnavailable, context, e.displayText(),
                  "another process uses this port; choose a free one with --health-listen");
    }
    if (e.code() == POCO_EADDRNOTAVAIL) {
      return Fail(ErrorCode::kInvalidArgument, context, e.displayText(),
                  "the address is not one of this host's; " + std::string(kListenAdvice));
    }
    return Fail(ErrorCode::kUnavailable, context, e.displayText());
  }
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() { Stop(); }

uint16_t HealthServer::port() const { return impl_->port; }

void HealthServer::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  impl_->server->stopAll(true);
  impl_->pool.joinAll();
  // The listening socket lives as long as the server object: free the port now, not later.
  impl_->server.reset();
}

}  // namespace agentboot::telemetry

#include <array>
#include <cstring>
#include <memory>

#include "agentboot/telemetry.h"

#include "probe_loop.h"
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

detail::ProbeReply Route(HealthModel& model, Metrics& metrics, const std::string& method,
                         const std::string& path) {
  const bool known = path == "/healthz" || path == "/readyz" || path == "/metrics";
  if (!known) return {404, "application/json", R"({"error":"not found"})", {}};
  if (method != "GET" && method != "HEAD") {
    return {405, "application/json", R"({"error":"method not allowed"})", {{"Allow", "GET, HEAD"}}};
  }
  if (path == "/metrics") {
    return {200, std::string(kPrometheusContentType), metrics.RenderPrometheus(), {}};
  }
  const ProbeResult probe = path == "/healthz" ? model.Healthz() : model.Readyz();
  const std::string body =
      probe.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return {probe.ok ? 200 : 503, "application/json", body, {}};
}

std::string ErrnoText(int error) {
  std::array<char, 256> buffer{};
  return strerror_r(error, buffer.data(), buffer.size());
}

// The address to bind: getaddrinfo(3) rather than a Poco SocketAddress, so the agentboot binary
// loads no Poco library at all (BENCHMARKS.md "Start-up": Poco's two libraries were about a fifth
// of `agentboot --version`'s CPU time). Like Poco, a name is resolved and IPv4 is preferred.
struct BindAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
};

Result<BindAddress> Resolve(const HostPort& where, const std::string& context) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc =
      ::getaddrinfo(where.host.c_str(), std::to_string(where.port).c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, context,
                "address \"" + where.host + "\": " + ::gai_strerror(rc),
                std::string(kListenAdvice));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  const addrinfo* pick = found;
  for (const addrinfo* each = found; each != nullptr; each = each->ai_next) {
    if (each->ai_family == AF_INET) {
      pick = each;
      break;
    }
  }
  BindAddress address;
  std::memcpy(&address.storage, pick->ai_addr, pick->ai_addrlen);
  address.length = pick->ai_addrlen;
  address.family = pick->ai_family;
  return address;
}

// A listening socket, close-on-exec from the start (security review M4: the listener and every
// job inherited Poco's socket and could answer the probes themselves) and non-blocking.
Result<int> Listen(const BindAddress& address, const std::string& context) {
  const int fd = ::socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Fail(ErrorCode::kUnavailable, context, "socket: " + ErrnoText(errno));
  const int on = 1;
  // SO_REUSEADDR survives TIME_WAIT after a restart; SO_REUSEPORT stays off so a second
  // agentboot on the same port fails instead of silently sharing it.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (address.family == AF_INET6) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  const auto* raw = reinterpret_cast<const sockaddr*>(&address.storage);  // NOLINT
  if (::bind(fd, raw, address.length) != 0 || ::listen(fd, 64) != 0) {
    const int error = errno;
    ::close(fd);
    if (error == EADDRINUSE) {
      return Fail(ErrorCode::kUnavailable, context, ErrnoText(error),
                  "another process uses this port; choose a free one with --health-listen");
    }
    if (error == EADDRNOTAVAIL) {
      return Fail(ErrorCode::kInvalidArgument, context, ErrnoText(error),
                  "the address is not one of this host's; " + std::string(kListenAdvice));
    }
    return Fail(ErrorCode::kUnavailable, context, ErrnoText(error));
  }
  return fd;
}

uint16_t BoundPort(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);  // NOLINT
  if (bound.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);  // NOLINT
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);  // NOLINT
}

}  // namespace

struct HealthServer::Impl {
  std::unique_ptr<detail::ProbeLoop> loop;
  uint16_t port = 0;
};

Result<std::unique_ptr<HealthServer>> HealthServer::Start(const std::string& listen,
                                                          HealthModel& model, Metrics& metrics) {
  auto where = ParseListen(listen);
  if (!where) return Fail(where.error());
  const std::string context = "listen for health probes on " + listen;
  auto address = Resolve(*where, context);
  if (!address) return Fail(address.error());
  auto fd = Listen(*address, context);
  if (!fd) return Fail(fd.error());
  auto impl = std::make_unique<Impl>();
  impl->port = BoundPort(*fd);
  impl->loop = std::make_unique<detail::ProbeLoop>(
      *fd,
      [&model, &metrics](const std::string& method, const std::string& path) {
        return Route(model, metrics, method, path);
      },
      detail::ProbeLimits{});
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() { Stop(); }

uint16_t HealthServer::port() const { return impl_->port; }

void HealthServer::Stop() {
  // Closes the listening socket too: the port is free when this returns.
  if (impl_->loop) impl_->loop->Stop();
}

}  // namespace agentboot::telemetry

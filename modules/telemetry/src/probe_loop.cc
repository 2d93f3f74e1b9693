#include "probe_loop.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>

#include "agentboot/base.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace agentboot::telemetry::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// The peer's address without the port: the unit of the per-peer cap.
std::string PeerOf(const sockaddr_storage& address) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const void* raw = nullptr;
  if (address.ss_family == AF_INET) {
    raw = &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr;  // NOLINT
  } else if (address.ss_family == AF_INET6) {
    raw = &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr;  // NOLINT
  }
  if (raw == nullptr || ::inet_ntop(address.ss_family, raw, text.data(), text.size()) == nullptr) {
    return "?";
  }
  return text.data();
}

size_t HeadEnd(const std::string& buffer) {
  const size_t crlf = buffer.find("\r\n\r\n");
  if (crlf != std::string::npos) return crlf + 4;
  const size_t lf = buffer.find("\n\n");
  return lf == std::string::npos ? std::string::npos : lf + 2;
}

ProbeReply PlainReply(int status, const std::string& error) {
  return ProbeReply{status, "application/json", R"({"error":")" + error + "\"}", {}};
}

}  // namespace

bool ParseRequestHead(const std::string& head, std::string& method, std::string& path) {
  const std::string line = head.substr(0, head.find_first_of("\r\n"));
  const auto parts = Split(line, ' ');
  if (parts.size() != 3 || parts[0].empty() || !StartsWith(parts[2], "HTTP/1.")) return false;
  method = parts[0];
  std::string target = parts[1];
  for (std::string_view scheme : {"http://", "https://"}) {
    if (StartsWith(target, scheme)) {
      const size_t slash = target.find('/', scheme.size());
      target = slash == std::string::npos ? "/" : target.substr(slash);
    }
  }
  path = target.substr(0, target.find_first_of("?#"));
  return true;
}

std::string SerializeReply(const ProbeReply& reply, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " ";
  out.append(ReasonPhrase(reply.status)).append("\r\n");
  out += "Content-Type: " + reply.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\nConnection: close\r\n";
  for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only) out += reply.body;
  return out;
}

struct ProbeLoop::Connection {
  int fd = -1;
  std::string peer;
  SteadyClock::time_point deadline;
  std::string in;
  std::string out;
  size_t written = 0;
  bool done = false;  // to be closed
};

ProbeLoop::ProbeLoop(int listen_fd, ProbeRouter router, ProbeLimits limits)
    : listen_fd_(listen_fd),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      router_(std::move(router)),
      limits_(limits) {
  thread_ = std::thread([this] { Run(); });
}

ProbeLoop::~ProbeLoop() { Stop(); }

void ProbeLoop::Stop() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  if (wake_fd_ >= 0) {
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ProbeLoop::Accept(std::vector<Connection>& connections) {
  // A few at a time (fewer than the per-peer cap), with reads in between: a burst of new
  // connections cannot push out a probe accepted just before it, before its request is read.
  for (int batch = 0; batch < 8; ++batch) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address),  // NOLINT
                             &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection that went away: nothing to do
    Connection connection;
    connection.fd = fd;
    connection.peer = PeerOf(address);
    connection.deadline = SteadyClock::now() + limits_.deadline;
    // Connections are kept oldest first: over a cap, the oldest one of that peer (or of all)
    // goes, so a flood cannot keep a fresh probe out.
    const auto same_peer = [&](const Connection& c) {
      return !c.done && c.peer == connection.peer;
    };
    if (static_cast<size_t>(std::count_if(connections.begin(), connections.end(), same_peer)) >=
        limits_.max_per_peer) {
      std::find_if(connections.begin(), connections.end(), same_peer)->done = true;
    }
    const auto open = [](const Connection& c) { return !c.done; };
    if (static_cast<size_t>(std::count_if(connections.begin(), connections.end(), open)) >=
        limits_.max_connections) {
      std::find_if(connections.begin(), connections.end(), open)->done = true;
    }
    connections.push_back(std::move(connection));
  }
}

void ProbeLoop::Read(Connection& connection) {
  std::array<char, 4096> buffer{};
  const ssize_t got = ::recv(connection.fd, buffer.data(), buffer.size(), 0);
  if (got <= 0) {
    if (got == 0 || (errno != EAGAIN && errno != EINTR)) connection.done = true;
    return;
  }
  connection.in.append(buffer.data(), static_cast<size_t>(got));
  const size_t end = HeadEnd(connection.in);
  ProbeReply reply;
  std::string method;
  if (end == std::string::npos || end > limits_.max_head_bytes) {
    if (connection.in.size() <= limits_.max_head_bytes) return;  // wait for more
    reply = PlainReply(431, "request head too large");
  } else {
    std::string path;
    reply = ParseRequestHead(connection.in.substr(0, end), method, path)
                ? router_(method, path)
                : PlainReply(400, "bad request");
  }
  connection.out = SerializeReply(reply, method == "HEAD");
  connection.deadline = SteadyClock::now() + limits_.deadline;
  ::shutdown(connection.fd, SHUT_RD);
  Write(connection);
}

void ProbeLoop::Write(Connection& connection) {
  while (connection.written < connection.out.size()) {
    const ssize_t sent = ::send(connection.fd, connection.out.data() + connection.written,
                                connection.out.size() - connection.written, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno != EAGAIN && errno != EINTR) connection.done = true;
      return;
    }
    connection.written += static_cast<size_t>(sent);
  }
  connection.done = true;
}

void ProbeLoop::Run() {
  std::vector<Connection> connections;
  std::vector<pollfd> polled;
  while (!stopping_.load()) {
    const auto now = SteadyClock::now();
    for (auto& c : connections) {
      if (now >= c.deadline) c.done = true;  // slowloris, idle or a reader that never reads
    }
    std::erase_if(connections, [](const Connection& c) {
      if (c.done) ::close(c.fd);
      return c.done;
    });
    polled.assign({{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}});
    auto wait = std::chrono::milliseconds(1000);
    for (const auto& c : connections) {
      polled.push_back({c.fd, static_cast<short>(c.out.empty() ? POLLIN : POLLOUT), 0});
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now);
      wait = std::clamp(left + std::chrono::milliseconds(1), std::chrono::milliseconds(1), wait);
    }
    if (::poll(polled.data(), polled.size(), static_cast<int>(wait.count())) < 0) continue;
    for (size_t i = 0; i < connections.size(); ++i) {
      const short events = polled[i + 2].revents;
      if (events == 0 || connections[i].done) continue;
      if (!connections[i].out.empty()) {
        Write(connections[i]);
      } else if ((events & POLLIN) != 0) {
        Read(connections[i]);
      } else {
        connections[i].done = true;  // POLLERR / POLLHUP without data
      }
    }
    if ((polled[1].revents & POLLIN) != 0) Accept(connections);
  }
  for (const auto& c : connections) ::close(c.fd);
}

}  // namespace agentboot::telemetry::detail

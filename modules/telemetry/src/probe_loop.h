// The health endpoint's HTTP loop: one thread, non-blocking sockets and poll(2), so a slow or
// idle client costs a table entry, never a worker thread (security review M5: with Poco's
// thread-per-connection server, 4 idle connections delayed a probe by 10 s and 40 trickling ones
// blinded it). Every connection has a total deadline, each peer a connection cap, and every
// answer says `Connection: close`.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace agentboot::telemetry::detail {

struct ProbeReply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
};

// Answers one request; called on the loop thread, so it must be quick and must not throw.
using ProbeRouter = std::function<ProbeReply(const std::string& method, const std::string& path)>;

struct ProbeLimits {
  // From accept to the end of the request head, and again for sending the answer.
  std::chrono::milliseconds deadline{std::chrono::seconds(2)};
  size_t max_connections = 256;  // beyond this the oldest connection is dropped
  size_t max_per_peer = 16;      // beyond this the peer's oldest connection is dropped
  size_t max_head_bytes = 8192;  // a longer request head gets 431 and is closed
};

// Parses a request head ("METHOD TARGET HTTP/1.x" and headers, up to the empty line) into method
// and path (query and an absolute-form scheme://authority removed). False when malformed.
bool ParseRequestHead(const std::string& head, std::string& method, std::string& path);

// The bytes of an HTTP/1.1 answer with Content-Length, Cache-Control: no-store and
// Connection: close; no body for HEAD.
std::string SerializeReply(const ProbeReply& reply, bool head_only);

class ProbeLoop {
 public:
  // Takes ownership of `listen_fd` (listening, close-on-exec) and starts the loop thread.
  ProbeLoop(int listen_fd, ProbeRouter router, ProbeLimits limits);
  ~ProbeLoop();  // Stop()
  ProbeLoop(const ProbeLoop&) = delete;
  ProbeLoop& operator=(const ProbeLoop&) = delete;

  // Stops the thread and closes every socket, the listening one included. Idempotent.
  void Stop();

 private:
  struct Connection;
  void Run();
  void Accept(std::vector<Connection>& connections);
  void Read(Connection& connection);
  static void Write(Connection& connection);

  int listen_fd_;
  int wake_fd_;
  ProbeRouter router_;
  ProbeLimits limits_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace agentboot::telemetry::detail

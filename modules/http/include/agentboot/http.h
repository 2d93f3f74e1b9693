// agentboot::http — requests, responses, the Transport seam, the libcurl transport and the pure
// retry policy. Every outbound HTTP call of agentboot goes through a Transport.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; the first match wins.
std::optional<std::string> FindHeader(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  Duration timeout{std::chrono::seconds(30)};          // whole request
  Duration connect_timeout{std::chrono::seconds(10)};  // TCP + TLS handshake
  bool bypass_proxy = false;  // IMDS and other link-local endpoints must never go through a proxy
  // Abandon the request when ProcessStopToken() asks to stop (kUnavailable, "stopped by ...").
  // Only for requests that change nothing on the server (a token request, a download).
  bool abort_on_stop = false;

  std::optional<std::string> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  // True when Content-Type is application/json or a +json type.
  bool IsJson() const;
};

// One Send per HTTP exchange. Any status the server sent is a successful Result; errors are for
// exchanges that produced no status: kUnavailable (connect/DNS/TLS failure, retryable),
// kDeadlineExceeded (timeout, retryable), kInvalidArgument (bad URL), kInternal (response larger
// than the cap). Implementations are safe for concurrent use.
class Transport {
 public:
  Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;
  [[nodiscard]] virtual Result<Response> Send(const Request& request) = 0;
};

struct CurlOptions {
  std::string ca_file;      // extra trust: --ca-file, else SSL_CERT_FILE; empty = system store
  std::string https_proxy;  // from HTTPS_PROXY / https_proxy; empty = none
  std::string http_proxy;   // from HTTP_PROXY / http_proxy
  std::string no_proxy;     // from NO_PROXY / no_proxy
  std::string user_agent;   // "agentboot/<version>"
  size_t max_response_bytes = 16U << 20U;  // larger bodies fail with kInternal
  Logger* log = nullptr;  // when set: one debug line per exchange, allow-listed fields only
};

// Reads the proxy and CA variables named above from `vars` (flags win over the environment).
CurlOptions CurlOptionsFromEnvironment(const Environment& vars, std::string ca_file_flag = {});

// The libcurl transport. Trust: the system store, plus options.ca_file when set (it replaces
// libcurl's bundle file; the system CA directory stays trusted on builds that have one, as
// Debian's does). Proxies come only from `options` (never the process environment); redirects
// are never followed. Never logs Authorization, cookies, bodies or query values other than
// api-version/resource/client_id.
std::unique_ptr<Transport> MakeCurlTransport(const CurlOptions& options);

// The same transport with one connection kept alive between exchanges: every Send reuses one
// libcurl easy handle, and with it the open connection, so Sends wait for each other. For one
// background poller (Scheduled Events), where a new connection per poll would cost more CPU than
// the poll itself. A connection the server closed meanwhile is replaced transparently.
std::unique_ptr<Transport> MakeKeepAliveCurlTransport(const CurlOptions& options);

// Counts exchanges through `inner` (benchmarks and the `--verbose` summary).
class CountingTransport final : public Transport {
 public:
  explicit CountingTransport(Transport& inner) : inner_(inner) {}
  Result<Response> Send(const Request& request) override;
  int count() const noexcept { return count_.load(std::memory_order_relaxed); }

 private:
  Transport& inner_;
  std::atomic<int> count_{0};  // atomic: Transport implementations are used from several threads
};

// ---------------------------------------------------------------------------------------------
// Streaming downloads, for bodies that do not belong in memory (agent packages are ~230 MB).

// Incremental SHA-256 (OpenSSL EVP). One per stream; not thread-safe.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  // Lower-case hex of everything passed to Update since construction or the last FinishHex.
  std::string FinishHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

struct DownloadResult {
  int status = 0;          // the final status, after redirects
  uint64_t bytes = 0;      // bytes written to dest_path; 0 unless the status was 2xx
  std::string sha256_hex;  // lower-case hex SHA-256 of those bytes
};

// done and total in bytes; total is 0 while the size is unknown.
using DownloadProgress = std::function<void(uint64_t done, uint64_t total)>;

// Streams a GET body to a file. The body goes to dest_path + ".part", is hashed as it arrives,
// and only a 2xx answer is fsynced and renamed over dest_path, so dest_path is either absent,
// untouched or complete. Any status the server sent is a successful Result (the file is then not
// written and no ".part" is left); errors are those of Transport::Send plus kInternal for local
// file errors, and also leave no ".part". Authorization headers are never sent (package CDNs
// take none, as the agent's own updater sends none). `progress` may be empty. Implementations
// are safe for concurrent use with distinct dest_paths.
class Downloader {
 public:
  Downloader() = default;
  Downloader(const Downloader&) = delete;
  Downloader& operator=(const Downloader&) = delete;
  virtual ~Downloader() = default;
  [[nodiscard]] virtual Result<DownloadResult> Download(const Request& request,
                                                        const std::string& dest_path,
                                                        const DownloadProgress& progress) = 0;
};

// The libcurl downloader: trust and proxies as MakeCurlTransport, but redirects ARE followed (up
// to 5, http and https only: CDNs redirect) and there is no size cap. `progress` is called at
// most about once a second or at every further 10%, and once at the end.
std::unique_ptr<Downloader> MakeCurlDownloader(const CurlOptions& options);

// ---------------------------------------------------------------------------------------------
// Retry policy: pure functions. The caller sleeps through its Clock.

// Parses Retry-After (delta seconds or an HTTP date) relative to `now`. nullopt when absent or
// malformed; never negative, and never more than one day (larger values are read as one day
// before any conversion, so no value can overflow).
std::optional<Duration> ParseRetryAfter(std::string_view value, TimePoint now);
// An HTTP date (RFC 9110 §5.6.7: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850, asctime),
// as in Retry-After and IMDS's NotBefore. The weekday is not checked against the date. nullopt
// for anything else, or a date or time out of range.
std::optional<TimePoint> ParseHttpDate(std::string_view text);

// The server's requested wait from Retry-After, retry-after-ms, x-ms-retry-after-ms or
// X-RateLimit-Reset (epoch seconds), whichever is present, in that order. At most one day.
std::optional<Duration> ServerRequestedDelay(const Response& response, TimePoint now);

// The longest a server can make us wait in one go: an absurd Retry-After must not park the
// bootstrapper for hours.
inline constexpr Duration kMaxServerDelay{std::chrono::minutes(5)};

// `server_delay` clamped to [0, kMaxServerDelay]; every retry path applies it.
Duration CapServerDelay(Duration server_delay);

struct BackoffPolicy {
  int max_attempts = 4;                       // total tries, including the first
  Duration initial{std::chrono::seconds(1)};  // before the second try
  Duration max_delay{std::chrono::seconds(60)};
  double multiplier = 2.0;
  double jitter = 0.2;  // delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]
};

// Delay before try number `attempt + 1` (attempt counts from 1 for the first failure):
// min(max_delay, initial * multiplier^(attempt-1)) with jitter from `random`; a server-requested
// delay wins when it is longer (capped at 5 minutes).
Duration BackoffDelay(const BackoffPolicy& policy, int attempt, Random& random,
                      std::optional<Duration> server_delay = std::nullopt);

// Throttling is retried for a time, not a number of tries. Azure DevOps blocks an identity that
// exceeds its usage with 429 and says when to come back (Retry-After, X-RateLimit-Reset:
// https://learn.microsoft.com/azure/devops/integrate/concepts/rate-limits). A fleet that shares
// one identity can be throttled for minutes, longer than any small number of tries covers.
struct ThrottlePolicy {
  // How long after a call's first try a throttled call keeps coming back. Zero or less: throttled
  // answers count as ordinary failures (BackoffPolicy::max_attempts).
  Duration budget{std::chrono::minutes(10)};
  // The widest random delay added to the server's wait, so that hosts told the same Retry-After
  // do not all return at once. The window starts at BackoffPolicy::initial and grows by its
  // multiplier with every throttled answer, up to this.
  Duration max_spread{std::chrono::seconds(30)};
};

// The retry budget of one call. Pure: the caller passes the time and sleeps (through its Clock).
// An answer that throttles (429 or 503) and says how long to wait is retried after that wait
// plus a random spread in [0, window], until the budget after the first try is spent; a wait
// that would end after the budget, or is longer than kMaxServerDelay, ends the call at once
// (never a sleep past the deadline, never a try before the server's time). Every other failure
// is retried with BackoffDelay until BackoffPolicy::max_attempts tries of that kind were made.
class RetryBudget {
 public:
  RetryBudget(BackoffPolicy backoff, ThrottlePolicy throttle, TimePoint first_try);

  // After a failed try: the wait before the next one, or nullopt when the call must end now.
  // `throttled`: the answer was 429 or 503; `server_delay`: the wait it asked for, if any.
  [[nodiscard]] std::optional<Duration> Next(bool throttled, std::optional<Duration> server_delay,
                                             TimePoint now, Random& random);

  // True once a throttled answer ended the call (its wait did not fit the budget).
  bool throttle_budget_spent() const { return budget_spent_; }
  int throttled_answers() const { return throttled_; }
  TimePoint deadline() const { return deadline_; }

 private:
  std::optional<Duration> NextThrottled(Duration server_delay, TimePoint now, Random& random);

  BackoffPolicy backoff_;
  ThrottlePolicy throttle_;
  TimePoint deadline_;
  int failures_ = 0;   // failures that are not throttling with a server-requested wait
  int throttled_ = 0;  // throttled answers that asked for a wait
  bool budget_spent_ = false;
};

// Form encoding: key=value&… with RFC 3986 escaping.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);
// Parses "a=1&b=x%20y" into pairs (used by tests and the simulator's peers).
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view body);

}  // namespace agentboot::http

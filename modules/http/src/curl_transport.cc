// The libcurl transport: one easy handle per request, so concurrent Sends share nothing mutable;
// or, for a background poller, one easy handle kept for every request, so that libcurl keeps the
// connection open between them (Sends are then serialised).
//
// TLS trust: libcurl's built-in CA bundle and CA directory (the system store). When
// CurlOptions::ca_file is set, it replaces the built-in bundle file (CURLOPT_CAINFO) while the
// built-in CA directory stays in place, so on builds that have one (Debian: /etc/ssl/certs) both
// the system store and the file are trusted; on builds without a CA directory only the file is.

#include <curl/curl.h>

#include "agentboot/http.h"

#include "curl_common.h"
#include "redact.h"

namespace agentboot::http {
namespace {

using detail::EasyHandle;
using detail::HeaderList;

// What the callbacks fill in while one exchange runs.
struct Exchange {
  size_t max_bytes = 0;
  bool too_large = false;
  std::string body;
  Headers headers;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  if (exchange->body.size() + n > exchange->max_bytes) {
    exchange->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  exchange->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (StartsWith(line, "HTTP/")) {
    // A new status line: 100-continue, a proxy's CONNECT answer or a redirect came before the
    // final response; only the last block describes it.
    exchange->headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    exchange->headers.emplace_back(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return n;
}

Error TransportError(CURLcode code, const Exchange& exchange, const std::string& context,
                     const char* buffer, size_t max_bytes) {
  Error error = detail::CurlError(code, context, buffer);
  if (code == CURLE_WRITE_ERROR && exchange.too_large) {
    error.detail = "response larger than " + std::to_string(max_bytes) + " bytes";
  }
  return error;
}

int AbortOnStop(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return ProcessStopToken().Requested() ? 1 : 0;
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(CurlOptions options, bool keep_alive)
      : options_(std::move(options)), keep_alive_(keep_alive) {
    detail::InitCurlOnce();
  }

  Result<Response> Send(const Request& request) override {
    if (!keep_alive_) {
      EasyHandle easy(curl_easy_init());
      return Perform(easy.get(), request);
    }
    MutexLock lock(kept_mu_);
    // curl_easy_reset forgets the last request's options but keeps the open connection.
    if (kept_) {
      curl_easy_reset(kept_.get());
    } else {
      kept_.reset(curl_easy_init());
    }
    return Perform(kept_.get(), request);
  }

 private:
  Result<Response> Perform(CURL* easy, const Request& request) const {
    const std::string context = request.method + " " + detail::RedactUrl(request.url);
    if (easy == nullptr) return Fail(ErrorCode::kInternal, context, "curl_easy_init failed");
    Exchange exchange;
    exchange.max_bytes = options_.max_response_bytes;
    char error_buffer[CURL_ERROR_SIZE] = {};
    HeaderList headers = BuildHeaders(request);
    Configure(easy, request, headers.get(), exchange, error_buffer);

    const CURLcode code = curl_easy_perform(easy);
    curl_off_t elapsed_us = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &elapsed_us);
    if (code == CURLE_ABORTED_BY_CALLBACK && request.abort_on_stop) {
      if (const auto stop = ProcessStopToken().Requested()) {
        LogExchange(request, "stopped", elapsed_us);
        return Fail(StoppedError(context, *stop));
      }
    }
    if (code != CURLE_OK) {
      Error error =
          TransportError(code, exchange, context, error_buffer, options_.max_response_bytes);
      LogExchange(request, std::string(ErrorCodeName(error.code)), elapsed_us);
      return Fail(std::move(error));
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    Response response;
    response.status = static_cast<int>(status);
    response.headers = std::move(exchange.headers);
    response.body = std::move(exchange.body);
    LogExchange(request, std::to_string(response.status), elapsed_us);
    return response;
  }

  HeaderList BuildHeaders(const Request& request) const {
    curl_slist* list = nullptr;
    const auto append = [&list](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next != nullptr) list = next;
    };
    // No "Expect: 100-continue" round trip for bodies: the servers we talk to answer at once.
    append("Expect:");
    for (const auto& [name, value] : request.headers) {
      append(value.empty() ? name + ";" : name + ": " + value);
    }
    return HeaderList(list);
  }

  void Configure(CURL* easy, const Request& request, curl_slist* headers, Exchange& exchange,
                 char* error_buffer) const {
    detail::ConfigureCommon(easy, options_, request, headers, error_buffer);
    // Never follow redirects: a 302 to a sign-in page must reach the caller as a 302.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &exchange);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (request.abort_on_stop) {
      // libcurl calls this at least once a second while it waits for a slow server.
      curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &AbortOnStop);
    }
    ConfigureMethod(easy, request);
  }

  static void ConfigureMethod(CURL* easy, const Request& request) {
    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
      return;
    }
    if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
      return;
    }
    if (request.method == "POST") {
      curl_easy_setopt(easy, CURLOPT_POST, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    // The body pointer stays valid: `request` outlives curl_easy_perform.
    if (!request.body.empty() || request.method != "DELETE") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    }
  }

  // Method, redacted URL, status, elapsed time: never headers or bodies.
  void LogExchange(const Request& request, std::string outcome, curl_off_t elapsed_us) const {
    if (options_.log == nullptr) return;
    options_.log->Log(LogLevel::kDebug, "http", "exchange",
                      {{"method", request.method},
                       {"url", detail::RedactUrl(request.url)},
                       {"status", std::move(outcome)},
                       {"elapsed_ms", std::to_string(elapsed_us / 1000)}});
  }

  CurlOptions options_;
  const bool keep_alive_;
  Mutex kept_mu_;
  // keep_alive_ only: the handle (and connection) every Send reuses
  EasyHandle kept_ GUARDED_BY(kept_mu_);
};

}  // namespace

std::unique_ptr<Transport> MakeCurlTransport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options, /*keep_alive=*/false);
}

std::unique_ptr<Transport> MakeKeepAliveCurlTransport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options, /*keep_alive=*/true);
}

}  // namespace agentboot::http

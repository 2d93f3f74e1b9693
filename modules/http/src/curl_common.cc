#include "curl_common.h"

#include <algorithm>
#include <mutex>

#include <sys/socket.h>

namespace agentboot::http::detail {
namespace {

std::string SchemeOf(std::string_view url) {
  const size_t end = url.find("://");
  return end == std::string_view::npos ? std::string() : ToLower(url.substr(0, end));
}

}  // namespace

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long CurlMillis(Duration d) { return static_cast<long>(std::max<Duration::rep>(d.count(), 1)); }

Error CurlError(CURLcode code, const std::string& context, const char* buffer) {
  const std::string text = buffer[0] != '\0' ? buffer : curl_easy_strerror(code);
  Error error = MakeError(ErrorCode::kInternal, context, text);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      error.code = ErrorCode::kDeadlineExceeded;
      error.retryable = true;
      break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      error.code = ErrorCode::kInvalidArgument;
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      // Not retryable: the same certificate will be rejected again.
      error.code = ErrorCode::kUnavailable;
      error.retryable = false;
      error.origin = ErrorOrigin::kTls;
      error.advice =
          "The server's TLS certificate is not trusted: pass its CA (or a TLS-inspecting "
          "proxy's) with --ca-file or SSL_CERT_FILE.";
      break;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      error.code = ErrorCode::kUnavailable;
      error.retryable = true;
      break;
    default:
      break;
  }
  return error;
}

void ConfigureProxy(CURL* easy, const CurlOptions& options, const Request& request) {
  if (request.bypass_proxy) {
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    return;
  }
  const std::string scheme = SchemeOf(request.url);
  const std::string& proxy = scheme == "https" ? options.https_proxy : options.http_proxy;
  curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());
  curl_easy_setopt(easy, CURLOPT_NOPROXY, options.no_proxy.c_str());
}

// libcurl's sockets are made close-on-exec atomically, so a child forked at the same moment
// (the listener, the Azure CLI) never inherits a connection (security review M4).
namespace {
curl_socket_t OpenCloseOnExecSocket(void*, curlsocktype, curl_sockaddr* address) {
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}
}  // namespace

void ConfigureCommon(CURL* easy, const CurlOptions& options, const Request& request,
                     curl_slist* headers, char* error_buffer) {
  static const std::string kDefaultAgent = "agentboot";
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenCloseOnExecSocket);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, CurlMillis(request.timeout));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, CurlMillis(request.connect_timeout));
  const std::string& agent = options.user_agent.empty() ? kDefaultAgent : options.user_agent;
  curl_easy_setopt(easy, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  ConfigureProxy(easy, options, request);
}

}  // namespace agentboot::http::detail

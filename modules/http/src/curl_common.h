// libcurl pieces shared by the transport and the downloader (private to agentboot::http).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "agentboot/http.h"

namespace agentboot::http::detail {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, ListDeleter>;

// curl_global_init, once per process (it is not thread-safe itself).
void InitCurlOnce();

// A timeout for libcurl in milliseconds, at least 1 (0 would mean "no timeout").
long CurlMillis(Duration d);

// Maps a failed curl_easy_perform to an Error: timeouts are kDeadlineExceeded, connection-level
// failures kUnavailable (retryable), untrusted certificates kUnavailable with advice, bad URLs
// kInvalidArgument, anything else kInternal. `buffer` is CURLOPT_ERRORBUFFER's content.
Error CurlError(CURLcode code, const std::string& context, const char* buffer);

// Always sets CURLOPT_PROXY and CURLOPT_NOPROXY: left unset, libcurl would read the process
// environment itself, behind the back of the Environment seam.
void ConfigureProxy(CURL* easy, const CurlOptions& options, const Request& request);

// What every exchange sets alike: URL (http and https only), no signals, the error buffer,
// timeouts, user agent, request headers, extra CA file and proxies. Callers add redirects, the
// method and their body/header callbacks.
void ConfigureCommon(CURL* easy, const CurlOptions& options, const Request& request,
                     curl_slist* headers, char* error_buffer);

}  // namespace agentboot::http::detail

// The libcurl downloader: streams a body to "<dest>.part" while hashing it, then commits it with
// fsync + rename. Unlike the transport it follows redirects: package CDNs answer with 302s, and
// nothing secret travels with the request (no Authorization header is ever sent).
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include <curl/curl.h>

#include "agentboot/http.h"

#include "curl_common.h"
#include "redact.h"
#include <fcntl.h>
#include <unistd.h>

namespace agentboot::http {
namespace {

using detail::EasyHandle;
using detail::HeaderList;

constexpr long kMaxRedirects = 5;

// What the callbacks fill in while one download runs.
struct Transfer {
  CURL* easy = nullptr;
  int fd = -1;
  int write_errno = 0;
  uint64_t bytes = 0;
  Sha256Hasher hasher;
  const DownloadProgress* progress = nullptr;
  std::chrono::steady_clock::time_point last_report;
  uint64_t last_decile = 0;
};

bool IsSuccess(long status) { return status >= 200 && status < 300; }

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
  if (!IsSuccess(status)) return n;  // an error page: read and dropped, never written
  size_t written = 0;
  while (written < n) {
    const ssize_t w = ::write(transfer->fd, data + written, n - written);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      transfer->write_errno = errno;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    written += static_cast<size_t>(w);
  }
  transfer->hasher.Update(std::string_view(data, n));
  transfer->bytes += n;
  return n;
}

// Throttled: at most about once a second, or when another tenth of the total has arrived.
int OnProgress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  // A stop before the listener runs abandons the download (security review M8); the ".part"
  // file is removed below.
  if (ProcessStopToken().Requested()) return 1;
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->progress == nullptr || !*transfer->progress || now <= 0) return 0;
  const auto done = static_cast<uint64_t>(now);
  const uint64_t size = total > 0 ? static_cast<uint64_t>(total) : 0;
  const uint64_t decile = size > 0 ? done * 10 / size : 0;
  const auto clock_now = std::chrono::steady_clock::now();
  if (clock_now - transfer->last_report < std::chrono::seconds(1) &&
      decile <= transfer->last_decile) {
    return 0;
  }
  transfer->last_report = clock_now;
  transfer->last_decile = decile;
  (*transfer->progress)(done, size);
  return 0;
}

std::string ErrnoText(int error) {
  char buffer[256] = {};
  // GNU strerror_r may return a static string instead of filling the buffer.
  const char* text = strerror_r(error, buffer, sizeof buffer);
  return text != nullptr ? text : buffer;
}

Error FileError(const std::string& what, const std::string& path, int error) {
  return MakeError(ErrorCode::kInternal, what + " " + path, ErrnoText(error));
}

class CurlDownloader final : public Downloader {
 public:
  explicit CurlDownloader(CurlOptions options) : options_(std::move(options)) {
    detail::InitCurlOnce();
  }

  Result<DownloadResult> Download(const Request& request, const std::string& dest_path,
                                  const DownloadProgress& progress) override {
    const std::string context = "download " + detail::RedactUrl(request.url);
    const std::string part = dest_path + ".part";
    EasyHandle easy(curl_easy_init());
    if (!easy) return Fail(ErrorCode::kInternal, context, "curl_easy_init failed");
    Transfer transfer;
    transfer.easy = easy.get();
    transfer.progress = &progress;
    transfer.fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (transfer.fd < 0) return Fail(FileError("create", part, errno));

    char error_buffer[CURL_ERROR_SIZE] = {};
    HeaderList headers = BuildHeaders(request);
    Configure(easy.get(), request, headers.get(), transfer, error_buffer);
    const CURLcode code = curl_easy_perform(easy.get());
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    if (const auto stop = ProcessStopToken().Requested(); stop && code != CURLE_OK) {
      ::close(transfer.fd);
      ::unlink(part.c_str());
      return Fail(StoppedError(context, *stop));
    }

    auto failure = Finish(code, status, transfer, context, error_buffer, part, dest_path);
    if (failure) {
      ::unlink(part.c_str());
      return Fail(std::move(*failure));
    }
    if (progress) progress(transfer.bytes, transfer.bytes);
    DownloadResult result;
    result.status = static_cast<int>(status);
    if (IsSuccess(status)) {
      result.bytes = transfer.bytes;
      result.sha256_hex = transfer.hasher.FinishHex();
    }
    return result;
  }

 private:
  // Closes the file and commits it on a 2xx; returns the error, if any. On a non-2xx answer the
  // ".part" is removed and nothing is an error.
  static std::optional<Error> Finish(CURLcode code, long status, Transfer& transfer,
                                     const std::string& context, const char* error_buffer,
                                     const std::string& part, const std::string& dest_path) {
    const bool commit = code == CURLE_OK && IsSuccess(status);
    std::optional<Error> error;
    if (code == CURLE_WRITE_ERROR && transfer.write_errno != 0) {
      error = FileError("write", part, transfer.write_errno);
    } else if (code != CURLE_OK) {
      error = detail::CurlError(code, context, error_buffer);
    } else if (commit && ::fsync(transfer.fd) != 0) {
      error = FileError("fsync", part, errno);
    }
    if (::close(transfer.fd) != 0 && !error && commit) error = FileError("close", part, errno);
    if (error) return error;
    if (!commit) {
      ::unlink(part.c_str());
      return std::nullopt;
    }
    if (::rename(part.c_str(), dest_path.c_str()) != 0) return FileError("rename", part, errno);
    return std::nullopt;
  }

  static HeaderList BuildHeaders(const Request& request) {
    curl_slist* list = nullptr;
    for (const auto& [name, value] : request.headers) {
      if (EqualsIgnoreCase(name, "Authorization")) continue;
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next != nullptr) list = next;
    }
    return HeaderList(list);
  }

  void Configure(CURL* easy, const Request& request, curl_slist* headers, Transfer& transfer,
                 char* error_buffer) const {
    detail::ConfigureCommon(easy, options_, request, headers, error_buffer);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, kMaxRedirects);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &transfer);
  }

  CurlOptions options_;
};

}  // namespace

std::unique_ptr<Downloader> MakeCurlDownloader(const CurlOptions& options) {
  return std::make_unique<CurlDownloader>(options);
}

}  // namespace agentboot::http

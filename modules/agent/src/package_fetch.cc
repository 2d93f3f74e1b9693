// Downloading a package into the cache: retries like the agent's own updater (3 attempts, 25
// minutes each, agent-contract §4 Self-update), progress through the logger, SHA-256 check.
#include <chrono>
#include <string>

#include "agentboot/agent.h"
#include "agentboot/http.h"

#include "package_preparer.h"

namespace agentboot::agent::detail {
namespace {

constexpr char kSource[] = "agent";
constexpr int kAttempts = 3;

// Scheme, host and path only: a package URL may carry a SAS token in its query.
std::string LoggableUrl(const std::string& url) { return url.substr(0, url.find_first_of("?#")); }

Error StatusError(int status, const std::string& context) {
  ErrorCode code = ErrorCode::kInternal;
  bool retryable = false;
  if (status == 404) code = ErrorCode::kNotFound;
  if (status == 401 || status == 403) code = ErrorCode::kPermissionDenied;
  if (status == 408 || status == 429 || status >= 500) {
    code = ErrorCode::kUnavailable;
    retryable = true;
  }
  Error error = MakeError(code, context, "HTTP " + std::to_string(status));
  error.http_status = status;
  error.retryable = retryable;
  return error;
}

std::string Megabytes(uint64_t bytes) { return std::to_string(bytes / (1024U * 1024U)); }

}  // namespace

void Preparer::LogProgress(uint64_t done, uint64_t total) {
  // The downloader may report the final size twice (last chunk, then completion).
  if (done == last_progress_) return;
  last_progress_ = done;
  std::vector<LogField> fields{{"mb", Megabytes(done)}};
  if (total > 0) {
    fields.push_back({"percent", std::to_string(done * 100 / total)});
    fields.push_back({"total_mb", Megabytes(total)});
  }
  env_.log.Log(LogLevel::kInfo, kSource, "downloading agent package", fields);
}

Result<Fetched> Preparer::Fetch(const std::string& url, const std::string& file_name,
                                const std::string& expected_sha256) {
  if (auto created = cache_.Create(); !created) return Fail(std::move(created.error()));
  const std::string dest = JoinPath(cache_.DownloadsDir(), file_name);
  const std::string context = "download " + LoggableUrl(url);
  http::Request request;
  request.url = url;
  request.timeout = std::chrono::seconds(1500);  // the agent's AZP_AGENT_DOWNLOAD_TIMEOUT default
  request.connect_timeout = std::chrono::seconds(30);
  const http::BackoffPolicy policy{kAttempts, std::chrono::seconds(2), std::chrono::seconds(30),
                                   2.0, 0.2};
  const http::DownloadProgress progress = [this](uint64_t done, uint64_t total) {
    LogProgress(done, total);
  };
  env_.log.Log(LogLevel::kInfo, kSource, "downloading agent package", {{"url", LoggableUrl(url)}});
  http::DownloadResult downloaded;
  for (int attempt = 1;; ++attempt) {
    auto result = downloader_.Download(request, dest, progress);
    if (result && result->status >= 200 && result->status < 300) {
      downloaded = std::move(*result);
      break;
    }
    Error error = result ? StatusError(result->status, context) : std::move(result.error());
    if (!error.retryable || attempt >= kAttempts) return Fail(std::move(error));
    env_.log.Log(LogLevel::kWarning, kSource, "agent package download failed; retrying",
                 {{"attempt", std::to_string(attempt)}, {"error", error.ToString()}});
    env_.clock.SleepFor(http::BackoffDelay(policy, attempt, env_.random));
  }
  if (!expected_sha256.empty() && !HashesEqual(downloaded.sha256_hex, expected_sha256)) {
    (void)env_.fs.Remove(dest);
    return Fail(ErrorCode::kInternal, context,
                "SHA-256 mismatch: got " + downloaded.sha256_hex + ", expected " + expected_sha256,
                "The download was damaged or altered on the way (a proxy rewriting it?); it was "
                "deleted. Try again, or pass a verified package with --agent-package.");
  }
  return Fetched{dest, downloaded.sha256_hex, downloaded.bytes};
}

}  // namespace agentboot::agent::detail

#include "agentboot/http_testing.h"

namespace agentboot::http::testing {

FakeDownloader& FakeDownloader::Serve(std::string url, std::string body, int status) {
  std::lock_guard lock(mu_);
  bodies_[std::move(url)] = Body{std::move(body), status};
  return *this;
}

FakeDownloader& FakeDownloader::FailNext(ErrorCode code, std::string detail) {
  std::lock_guard lock(mu_);
  failures_.push_back(MakeError(code, "scripted download", std::move(detail)));
  return *this;
}

Result<DownloadResult> FakeDownloader::Download(const Request& request,
                                                const std::string& dest_path,
                                                const DownloadProgress& progress) {
  Body body{std::string(), 404};
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (!failures_.empty()) {
      Error error = std::move(failures_.front());
      failures_.pop_front();
      return Fail(std::move(error));
    }
    if (const auto found = bodies_.find(request.url); found != bodies_.end()) body = found->second;
  }
  DownloadResult result;
  result.status = body.status;
  if (body.status < 200 || body.status >= 300) return result;
  if (auto written = fs_.WriteFileAtomic(dest_path, body.content, 0644); !written) {
    return Fail(std::move(written.error()));
  }
  result.bytes = body.content.size();
  result.sha256_hex = Sha256Hex(body.content);
  if (progress) progress(result.bytes, result.bytes);
  return result;
}

std::vector<Request> FakeDownloader::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t FakeDownloader::download_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

}  // namespace agentboot::http::testing

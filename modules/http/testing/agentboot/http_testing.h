// ScriptedTransport: queued responses, recorded requests; FakeDownloader: scripted bodies
// "downloaded" through a FileSystem. Test builds only (target agentboot::http_testing). No sockets.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agentboot/http.h"

namespace agentboot::http::testing {

class ScriptedTransport final : public Transport {
 public:
  // Queue a response with a JSON body (Content-Type: application/json).
  ScriptedTransport& Json(int status, std::string body, Headers extra = {});
  // Queue any response.
  ScriptedTransport& Respond(Response response);
  // Queue a transport failure (e.g. kUnavailable for a refused connection, kDeadlineExceeded).
  ScriptedTransport& FailWith(ErrorCode code, std::string detail = "scripted failure");
  // Answer every request from now on with `handler` once the queue is empty.
  void Fallback(std::function<Result<Response>(const Request&)> handler);

  Result<Response> Send(const Request& request) override;

  std::vector<Request> requests() const;
  size_t request_count() const;
  size_t pending() const;  // scripted answers not yet consumed

 private:
  mutable std::mutex mu_;
  std::deque<Result<Response>> script_;
  std::vector<Request> requests_;
  std::function<Result<Response>(const Request&)> fallback_;
};

// Serves scripted bodies by URL: Download writes the body with FileSystem::WriteFileAtomic (so a
// MemFileSystem works) and reports its SHA-256. An unknown URL answers 404 and writes nothing.
// Thread-safe. `fs` must outlive the fake.
class FakeDownloader final : public Downloader {
 public:
  explicit FakeDownloader(FileSystem& fs) : fs_(fs) {}
  // Every download of `url` gets `body` with `status` (the body is written only for a 2xx).
  FakeDownloader& Serve(std::string url, std::string body, int status = 200);
  // The next download (of any URL) fails with this error instead.
  FakeDownloader& FailNext(ErrorCode code, std::string detail = "scripted failure");

  Result<DownloadResult> Download(const Request& request, const std::string& dest_path,
                                  const DownloadProgress& progress) override;

  std::vector<Request> requests() const;
  size_t download_count() const;

 private:
  struct Body {
    std::string content;
    int status = 200;
  };
  FileSystem& fs_;
  mutable std::mutex mu_;
  std::map<std::string, Body> bodies_;
  std::deque<Error> failures_;
  std::vector<Request> requests_;
};

}  // namespace agentboot::http::testing

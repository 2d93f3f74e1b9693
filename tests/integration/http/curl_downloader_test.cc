// The real libcurl downloader against an in-process Poco server on 127.0.0.1:0: redirects,
// hashing, progress, no Authorization, and no ".part" left behind on failures.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include "agentboot/http.h"

#include <unistd.h>

namespace agentboot::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

std::string Payload() {
  std::string body;
  for (int i = 0; i < 300'000; ++i) body.push_back(static_cast<char>('a' + i % 26));
  return body;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string& path = request.getURI();
    std::string body;
    if (path == "/hop1" || path == "/hop2" || path == "/loop") {
      response.set("Location", path == "/hop1" ? "/hop2" : path == "/hop2" ? "/file" : "/loop");
      response.setStatusAndReason(HTTPResponse::HTTP_FOUND);
      body = "moved";
    } else if (path == "/file") {
      body = Payload();
    } else if (path == "/auth") {
      body = request.get("Authorization", "<none>");
    } else if (path == "/cut") {
      response.setKeepAlive(false);          // the connection closes after "short", mid-body
      response.setContentLength(1'000'000);  // promises more than it sends
      response.send() << "short";
      return;
    } else {
      response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
      body = "not here";
    }
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  // Poco owns and deletes the handler it is given.
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler;
  }
};

class CurlDownloaderTest : public ::testing::Test {
 protected:
  CurlDownloaderTest()
      : server_(Poco::Net::HTTPRequestHandlerFactory::Ptr(new Factory),
                Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams)) {
    server_.start();
    std::string pattern = (std::filesystem::temp_directory_path() / "dl-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    dest_ = dir_ + "/pkg.tar.gz";
  }
  ~CurlDownloaderTest() override {
    server_.stopAll(true);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Result<DownloadResult> Download(const std::string& path, const DownloadProgress& progress = {}) {
    Request request;
    request.url = "http://127.0.0.1:" + std::to_string(server_.port()) + path;
    request.headers = {{"Authorization", "Bearer must-not-travel"}};
    CurlOptions options;
    options.user_agent = "agentboot/test";
    return MakeCurlDownloader(options)->Download(request, dest_, progress);
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  bool PartExists() const { return std::filesystem::exists(dest_ + ".part"); }

  Poco::Net::HTTPServer server_;
  std::string dir_;
  std::string dest_;
};

TEST_F(CurlDownloaderTest, FollowsRedirectsAndHashesWhileStreaming) {
  uint64_t last_done = 0;
  uint64_t last_total = 0;
  int calls = 0;
  const auto result = Download("/hop1", [&](uint64_t done, uint64_t total) {
    ++calls;
    last_done = done;
    last_total = total;
  });
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->bytes, Payload().size());
  EXPECT_EQ(result->sha256_hex, Sha256Hex(Payload()));
  EXPECT_EQ(Slurp(dest_), Payload());
  EXPECT_FALSE(PartExists());
  EXPECT_GE(calls, 1);
  EXPECT_LE(calls, 13);  // throttled: about one per 10% plus the final report
  EXPECT_EQ(last_done, Payload().size());
  EXPECT_EQ(last_total, Payload().size());
}

TEST_F(CurlDownloaderTest, NeverSendsAuthorization) {
  const auto result = Download("/auth");
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(Slurp(dest_), "<none>");
}

TEST_F(CurlDownloaderTest, ErrorStatusWritesNothing) {
  const auto result = Download("/missing");
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->bytes, 0U);
  EXPECT_FALSE(std::filesystem::exists(dest_));
  EXPECT_FALSE(PartExists());
}

TEST_F(CurlDownloaderTest, RedirectLoopFailsWithoutLeavingPart) {
  const auto result = Download("/loop");
  ASSERT_FALSE(result.has_value());
  EXPECT_FALSE(std::filesystem::exists(dest_));
  EXPECT_FALSE(PartExists());
}

TEST_F(CurlDownloaderTest, TruncatedBodyFailsRetryablyAndKeepsOldFile) {
  std::ofstream(dest_) << "previous";
  const auto result = Download("/cut");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(result.error().retryable);
  EXPECT_FALSE(PartExists());
  EXPECT_EQ(Slurp(dest_), "previous");
}

}  // namespace
}  // namespace agentboot::http

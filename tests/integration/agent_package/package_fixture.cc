#include "package_fixture.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <unistd.h>

namespace agentboot::agent::testing {
namespace {

namespace fs = std::filesystem;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(std::shared_ptr<std::atomic<int>> hits, std::shared_ptr<std::string> body)
      : hits_(std::move(hits)), body_(std::move(body)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string& uri = request.getURI();
    if (StartsWith(uri, "/redirect/")) {
      response.set("Location", "/pkg/" + uri.substr(10));
      response.setStatusAndReason(HTTPResponse::HTTP_FOUND);
      response.setContentLength(0);
      response.send();
      return;
    }
    if (!StartsWith(uri, "/pkg/")) {
      response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
      response.setContentLength(0);
      response.send();
      return;
    }
    hits_->fetch_add(1);
    response.setContentType("application/octet-stream");
    response.setContentLength(static_cast<std::streamsize>(body_->size()));
    response.send() << *body_;
  }

 private:
  std::shared_ptr<std::atomic<int>> hits_;
  std::shared_ptr<std::string> body_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(std::shared_ptr<std::atomic<int>> hits, std::shared_ptr<std::string> body)
      : hits_(std::move(hits)), body_(std::move(body)) {}
  // Poco owns and deletes the handler it is given.
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(hits_, body_);
  }

 private:
  std::shared_ptr<std::atomic<int>> hits_;
  std::shared_ptr<std::string> body_;
};

void MustWrite(const std::string& path, const std::string& content, uint32_t mode) {
  ASSERT_TRUE(
      PosixFileSystem().CreateDirectories(fs::path(path).parent_path().string(), 0755).has_value());
  auto written = PosixFileSystem().WriteFileAtomic(path, content, mode);
  ASSERT_TRUE(written.has_value()) << written.error().ToString();
}

}  // namespace

Result<identity::AccessToken> StaticTokenSource::GetToken(const identity::TokenRequest&) {
  identity::AccessToken token;
  token.token = Secret("token");
  token.expires_on = FromUnixSeconds(1'900'000'000);
  token.source = "static";
  return token;
}

PackageTest::PackageTest()
    : env_{clock_, PosixFileSystem(), vars_, log_, SystemRandom(), PosixProcessRunner()} {
  std::string pattern = (std::filesystem::temp_directory_path() / "agentpkg-XXXXXX").string();
  dir_ = ::mkdtemp(pattern.data());
  cache_ = dir_ + "/cache";
  root_ = dir_ + "/agent";
  client_env_.random.Fix(0.5);
  devops::ClientOptions options;
  options.organization_url = "https://dev.azure.com/org";
  client_ = std::make_unique<devops::Client>(options, transport_, tokens_, client_env_.env);
  downloader_ = http::MakeCurlDownloader(http::CurlOptions{});
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      Poco::Net::HTTPRequestHandlerFactory::Ptr(new Factory(hits_, served_)),
      Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
      Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams));
  server_->start();
}

PackageTest::~PackageTest() {
  server_->stopAll(true);
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PackageTest::MakeTarball(const std::string& name, const std::string& version) {
  const std::string staging = dir_ + "/staging-" + name;
  // Like the real apphost: its root is the parent of its resolved directory, and every start,
  // --version included, creates the diagnostics directory (HostContext.cs:135-137, 344-365).
  MustWrite(staging + "/bin/Agent.Listener",
            "#!/bin/sh\nroot=$(dirname \"$(dirname \"$(readlink -f \"$0\")\")\")\n"
            "mkdir -p \"${AGENT_DIAGLOGPATH:-$root/_diag}\" || exit 134\n"
            "if [ \"$1\" = \"--version\" ]; then echo " +
                version + "; fi\n",
            0755);
  MustWrite(staging + "/externals/node20_1/bin/node", "#!/bin/sh\n", 0755);
  MustWrite(staging + "/config.sh", "#!/bin/sh\necho config\n", 0755);
  MustWrite(staging + "/run.sh", "#!/bin/sh\necho run\n", 0755);
  const std::string tarball = dir_ + "/" + name;
  ProcessSpec spec;
  spec.argv = {"tar", "-czf", tarball, "-C", staging, "."};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  const auto made = PosixProcessRunner().Run(spec);
  EXPECT_TRUE(made.has_value() && made->exit_code == 0)
      << (made ? made->stderr_text : made.error().ToString());
  return tarball;
}

std::string PackageTest::Serve(const std::string& tarball, bool via_redirect) {
  *served_ = Slurp(tarball);
  const std::string name = std::filesystem::path(tarball).filename().string();
  return "http://127.0.0.1:" + std::to_string(server_->port()) +
         (via_redirect ? "/redirect/" : "/pkg/") + name;
}

void PackageTest::ScriptPackage(const std::string& version, const std::string& url,
                                const std::string& hash) {
  const auto parts = Split(version, '.');
  const std::string body = R"({"count":1,"value":[{"type":"agent","platform":"linux-x64",)"
                           R"("version":{"major":)" +
                           parts.at(0) + R"(,"minor":)" + parts.at(1) + R"(,"patch":)" +
                           parts.at(2) + R"(},"downloadUrl":")" + url + R"(","hashValue":")" +
                           hash + R"(","filename":"agent.tar.gz"}]})";
  transport_.Fallback([body](const http::Request&) -> Result<http::Response> {
    http::Response response;
    response.status = 200;
    response.headers = {{"Content-Type", "application/json"}};
    response.body = body;
    return response;
  });
}

void PackageTest::ScriptUnreachable() {
  transport_.Fallback([](const http::Request& request) -> Result<http::Response> {
    return Fail(MakeError(ErrorCode::kUnavailable, request.url, "connection refused"));
  });
}

Result<PreparedAgent> PackageTest::Prepare(const PackageOptions& options, const std::string& root,
                                           bool with_client) {
  return PrepareAgent(with_client ? client_.get() : nullptr, *downloader_, env_, options, root);
}

PackageOptions PackageTest::Options() const {
  PackageOptions options;
  options.cache_dir = cache_;
  return options;
}

std::string PackageTest::Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string PackageTest::ReadLink(const std::string& path) {
  std::error_code error;
  const auto target = std::filesystem::read_symlink(path, error);
  return error ? std::string() : target.string();
}

}  // namespace agentboot::agent::testing

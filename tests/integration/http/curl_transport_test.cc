// The real libcurl transport against a tiny in-process Poco server bound to 127.0.0.1:0.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"

namespace agentboot::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// Lets the /slow handler return as soon as the test is over instead of after its long wait.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Open() {
    {
      std::lock_guard lock(mu);
      open = true;
    }
    cv.notify_all();
  }
  void WaitUpTo(std::chrono::seconds limit) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, limit, [this] { return open; });
  }
};

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Gate& gate) : gate_(gate) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    const std::string path = request.getURI().substr(0, request.getURI().find('?'));
    if (path == "/slow") gate_.WaitUpTo(std::chrono::seconds(10));
    if (path == "/big") body.assign(4096, 'x');
    if (path == "/redirect") {
      response.set("Location", "/echo");
      response.setStatusAndReason(HTTPResponse::HTTP_FOUND);
      body = "moved";
    } else {
      response.setStatusAndReason(path == "/created" ? HTTPResponse::HTTP_CREATED
                                                     : HTTPResponse::HTTP_OK);
    }
    response.set("X-Method", request.getMethod());
    response.set("X-Seen-Custom", request.get("X-Custom", "<none>"));
    response.set("X-Seen-Agent", request.get("User-Agent", "<none>"));
    // The client's port names its connection (the keep-alive tests).
    response.set("X-Client-Port", std::to_string(request.clientAddress().port()));
    if (path == "/close") response.setKeepAlive(false);
    response.setContentType("application/json; charset=utf-8");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
  }

 private:
  Gate& gate_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Gate& gate) : gate_(gate) {}
  // Poco owns and deletes the handler it is given.
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(gate_);
  }

 private:
  Gate& gate_;
};

class CurlTransportTest : public ::testing::Test {
 protected:
  CurlTransportTest()
      // Poco's smart pointers take ownership of the factory and the (reference-counted) params.
      : server_(Poco::Net::HTTPRequestHandlerFactory::Ptr(new Factory(gate_)),
                Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams)) {
    server_.start();
  }
  ~CurlTransportTest() override {
    gate_.Open();
    server_.stopAll(true);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }

  Result<Response> Send(Request request, CurlOptions options = {}) {
    if (options.user_agent.empty()) options.user_agent = "agentboot/test";
    options.log = &log_;
    return MakeCurlTransport(options)->Send(request);
  }

  Gate gate_;
  Poco::Net::HTTPServer server_;
  testing::RecordingLogger log_;
};

Request Get(std::string url) {
  Request request;
  request.url = std::move(url);
  return request;
}

TEST_F(CurlTransportTest, RoundTripsStatusHeadersAndBody) {
  Request request = Get(Url("/created?api-version=7.1&code=secret"));
  request.headers = {{"X-Custom", "hello"}, {"Authorization", "Bearer do-not-log"}};
  const auto response = Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->Header("x-method"), "GET");
  EXPECT_EQ(response->Header("X-Seen-Custom"), "hello");
  EXPECT_EQ(response->Header("X-Seen-Agent"), "agentboot/test");
  EXPECT_TRUE(response->IsJson());
  EXPECT_TRUE(log_.Contains("/created?api-version=7.1&code=***"));
  EXPECT_FALSE(log_.Contains("do-not-log"));
  EXPECT_FALSE(log_.Contains("secret"));
}

TEST_F(CurlTransportTest, SendsPostBody) {
  Request request = Get(Url("/echo"));
  request.method = "POST";
  request.body = R"({"name":"agent-1"})";
  request.headers = {{"Content-Type", "application/json"}};
  const auto response = Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->Header("X-Method"), "POST");
  EXPECT_EQ(response->body, request.body);
}

TEST_F(CurlTransportTest, SendsPatchAndDelete) {
  Request patch = Get(Url("/echo"));
  patch.method = "PATCH";
  patch.body = "{}";
  const auto patched = Send(patch);
  ASSERT_TRUE(patched.has_value()) << patched.error().ToString();
  EXPECT_EQ(patched->Header("X-Method"), "PATCH");
  EXPECT_EQ(patched->body, "{}");

  Request del = Get(Url("/echo"));
  del.method = "DELETE";
  const auto deleted = Send(del);
  ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
  EXPECT_EQ(deleted->Header("X-Method"), "DELETE");
}

TEST_F(CurlTransportTest, TimeoutIsDeadlineExceeded) {
  Request request = Get(Url("/slow"));
  request.timeout = std::chrono::milliseconds(300);
  const auto response = Send(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(response.error().retryable);
}

TEST_F(CurlTransportTest, OversizedResponseIsInternal) {
  CurlOptions options;
  options.max_response_bytes = 1000;
  const auto response = Send(Get(Url("/big")), options);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kInternal);
  EXPECT_EQ(response.error().detail, "response larger than 1000 bytes");
}

// A port that was just bound and released: nothing listens there.
int ClosedPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const int port = socket.address().port();
  socket.close();
  return port;
}

TEST_F(CurlTransportTest, RefusedConnectionIsUnavailable) {
  const auto response = Send(Get("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(response.error().retryable);
  EXPECT_FALSE(response.error().detail.empty());
}

TEST_F(CurlTransportTest, DoesNotFollowRedirects) {
  const auto response = Send(Get(Url("/redirect")));
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->Header("Location"), "/echo");
  EXPECT_EQ(response->body, "moved");
}

TEST_F(CurlTransportTest, BypassProxyIgnoresConfiguredProxy) {
  CurlOptions options;
  options.http_proxy = "http://127.0.0.1:" + std::to_string(ClosedPort());

  const auto through_proxy = Send(Get(Url("/echo")), options);
  ASSERT_FALSE(through_proxy.has_value());
  EXPECT_EQ(through_proxy.error().code, ErrorCode::kUnavailable);

  Request direct = Get(Url("/echo"));
  direct.bypass_proxy = true;
  const auto response = Send(direct, options);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(CurlTransportTest, NoProxyListSkipsTheProxy) {
  CurlOptions options;
  options.http_proxy = "http://127.0.0.1:" + std::to_string(ClosedPort());
  options.no_proxy = "127.0.0.1";
  const auto response = Send(Get(Url("/echo")), options);
  ASSERT_TRUE(response.has_value()) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(CurlTransportTest, MalformedUrlIsInvalidArgument) {
  const auto response = Send(Get("ftp://127.0.0.1/"));
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
}

// The kept-alive transport: every Send goes over the same connection while the server keeps it.
TEST_F(CurlTransportTest, KeepAliveTransportReusesOneConnection) {
  CurlOptions options;
  options.user_agent = "agentboot/test";
  const auto kept = MakeKeepAliveCurlTransport(options);
  const auto fresh = MakeCurlTransport(options);
  std::vector<std::string> kept_ports;
  std::vector<std::string> fresh_ports;
  for (int i = 0; i < 3; ++i) {
    const auto a = kept->Send(Get(Url("/echo")));
    const auto b = fresh->Send(Get(Url("/echo")));
    ASSERT_TRUE(a.has_value() && b.has_value());
    kept_ports.push_back(a->Header("X-Client-Port").value_or(""));
    fresh_ports.push_back(b->Header("X-Client-Port").value_or(""));
  }
  EXPECT_FALSE(kept_ports[0].empty());
  EXPECT_EQ(kept_ports[1], kept_ports[0]);
  EXPECT_EQ(kept_ports[2], kept_ports[0]);
  EXPECT_NE(fresh_ports[1], fresh_ports[0]);  // the ordinary transport: a connection per Send
}

TEST_F(CurlTransportTest, KeepAliveTransportReconnectsAfterTheServerClosed) {
  const auto kept = MakeKeepAliveCurlTransport(CurlOptions{});
  const auto closing = kept->Send(Get(Url("/close")));
  ASSERT_TRUE(closing.has_value()) << closing.error().ToString();
  Request post = Get(Url("/echo"));
  post.method = "POST";
  post.body = "after close";
  const auto next = kept->Send(post);  // options of the last request are forgotten: a POST
  ASSERT_TRUE(next.has_value()) << next.error().ToString();
  EXPECT_EQ(next->Header("X-Method"), "POST");
  EXPECT_EQ(next->body, "after close");
  EXPECT_NE(next->Header("X-Client-Port"), closing->Header("X-Client-Port"));
  const auto get = kept->Send(Get(Url("/echo")));
  ASSERT_TRUE(get.has_value()) << get.error().ToString();
  EXPECT_EQ(get->Header("X-Method"), "GET");
  EXPECT_EQ(get->Header("X-Client-Port"), next->Header("X-Client-Port"));
}

}  // namespace
}  // namespace agentboot::http

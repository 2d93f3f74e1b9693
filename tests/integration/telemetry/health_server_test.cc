#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/telemetry.h"

#include "prometheus_parser.h"

namespace agentboot::telemetry {
namespace {

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

Reply Get(uint16_t port, const std::string& path,
          const std::string& method = Poco::Net::HTTPRequest::HTTP_GET) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  Reply reply;
  reply.status = static_cast<int>(response.getStatus());
  reply.content_type = response.getContentType();
  Poco::StreamCopier::copyToString(in, reply.body);
  return reply;
}

class HealthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DescribeAgentbootMetrics(metrics_);
    auto server = HealthServer::Start("127.0.0.1:0", model_, metrics_);
    ASSERT_TRUE(server) << server.error().ToString();
    server_ = std::move(*server);
    ASSERT_NE(server_->port(), 0);
  }

  agentboot::testing::FakeClock clock_;
  HealthModel model_{clock_};
  Metrics metrics_;
  std::unique_ptr<HealthServer> server_;
};

TEST_F(HealthServerTest, ProbesFlipWithTheModel) {
  Reply health = Get(server_->port(), "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(health.body).at("status"), "unhealthy");
  EXPECT_EQ(Get(server_->port(), "/readyz").status, 503);

  model_.SetListener("running", true);
  EXPECT_EQ(Get(server_->port(), "/healthz").status, 200);
  Reply ready = Get(server_->port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_FALSE(nlohmann::json::parse(ready.body).at("reasons").empty());

  model_.SetServerView(true, true, true);
  ready = Get(server_->port(), "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(nlohmann::json::parse(ready.body).at("status"), "ok");

  clock_.Advance(std::chrono::minutes(6));
  ready = Get(server_->port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("older than"), std::string::npos) << ready.body;
}

TEST_F(HealthServerTest, MetricsAreValidPrometheusText) {
  metrics_.Set(metric::kUp, 1);
  metrics_.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, "running");
  metrics_.Increment(metric::kJobs, {{"result", "failed \"x\"\n"}});
  metrics_.Increment(metric::kListenerRestarts, {}, 2);

  const Reply reply = Get(server_->port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = agentboot::testing::ParsePrometheusText(reply.body);
  ASSERT_TRUE(parsed) << parsed.error().ToString() << "\n" << reply.body;
  const auto* restarts =
      agentboot::testing::FindSample(*parsed, "agentboot_listener_restarts_total");
  ASSERT_NE(restarts, nullptr);
  EXPECT_EQ(restarts->value, 2);
  EXPECT_NE(agentboot::testing::FindSample(*parsed, "agentboot_jobs_total",
                                           {{"result", "failed \"x\"\n"}}),
            nullptr);
}

TEST_F(HealthServerTest, UnknownPathsAre404AndOtherMethods405) {
  EXPECT_EQ(Get(server_->port(), "/").status, 404);
  EXPECT_EQ(Get(server_->port(), "/healthz/extra").status, 404);
  EXPECT_EQ(Get(server_->port(), "/metrics", Poco::Net::HTTPRequest::HTTP_POST).status, 405);
}

TEST_F(HealthServerTest, StopIsIdempotentAndClosesThePort) {
  const uint16_t port = server_->port();
  server_->Stop();
  server_->Stop();
  EXPECT_ANY_THROW(Get(port, "/healthz"));
}

TEST(HealthServerStart, RejectsMalformedAddressesWithAdvice) {
  agentboot::testing::FakeClock clock;
  HealthModel model(clock);
  Metrics metrics;
  for (const char* listen :
       {"", "8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:8080", "127.0.0.1:-1"}) {
    auto server = HealthServer::Start(listen, model, metrics);
    ASSERT_FALSE(server) << listen;
    EXPECT_EQ(server.error().code, ErrorCode::kInvalidArgument) << listen;
    EXPECT_NE(server.error().advice.find("ADDR:PORT"), std::string::npos);
  }
}

TEST(HealthServerStart, PortInUseIsUnavailable) {
  agentboot::testing::FakeClock clock;
  HealthModel model(clock);
  Metrics metrics;
  auto first = HealthServer::Start("127.0.0.1:0", model, metrics);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second =
      HealthServer::Start("127.0.0.1:" + std::to_string((*first)->port()), model, metrics);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable) << second.error().ToString();
}

TEST(HealthServerStart, AcceptsBracketedIpv6AndBarePort) {
  agentboot::testing::FakeClock clock;
  HealthModel model(clock);
  Metrics metrics;
  auto any = HealthServer::Start(":0", model, metrics);
  ASSERT_TRUE(any) << any.error().ToString();
  EXPECT_NE((*any)->port(), 0);
  auto v6 = HealthServer::Start("[::1]:0", model, metrics);
  // Some containers have no IPv6 loopback; then the error must still be a value, not a throw.
  if (!v6) {
    EXPECT_NE(v6.error().code, ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace agentboot::telemetry

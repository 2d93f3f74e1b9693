#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"
#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

using http::testing::ScriptedTransport;

constexpr char kBase[] = "http://169.254.169.254";
constexpr char kEventsUrl[] =
    "http://169.254.169.254/metadata/scheduledevents?api-version=2020-07-01";
constexpr char kComputeUrl[] =
    "http://169.254.169.254/metadata/instance/compute?api-version=2021-02-01";
constexpr char kOneEvent[] =
    R"({"DocumentIncarnation":3,"Events":[{"EventId":"E1","EventType":"Terminate",
        "EventStatus":"Scheduled","Resources":["vm-1"],
        "NotBefore":"Mon, 11 Apr 2026 22:26:58 GMT"}]})";

void ExpectImdsRequest(const http::Request& request, std::string_view method,
                       std::string_view url) {
  EXPECT_EQ(request.method, method);
  EXPECT_EQ(request.url, url);
  EXPECT_EQ(request.Header("Metadata"), "true");
  EXPECT_TRUE(request.bypass_proxy);
  EXPECT_EQ(request.timeout, std::chrono::seconds(5));
  EXPECT_FALSE(request.Header("X-Forwarded-For").has_value());
}

class ImdsClientTest : public ::testing::Test {
 protected:
  ScriptedTransport transport_;
  ImdsClient client_{transport_, kBase};
};

TEST(ImdsBaseUrl, DefaultsToTheLinkLocalAddress) {
  agentboot::testing::FakeEnvironment env;
  EXPECT_EQ(ImdsBaseUrl(env), "http://169.254.169.254");
  env.Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", "");
  EXPECT_EQ(ImdsBaseUrl(env), "http://169.254.169.254");
}

TEST(ImdsBaseUrl, HonoursThePodIdentityAuthorityHost) {
  agentboot::testing::FakeEnvironment env{
      {"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:8080/"}};
  EXPECT_EQ(ImdsBaseUrl(env), "http://127.0.0.1:8080/");
  ScriptedTransport transport;
  transport.Json(200, R"({"Events":[]})");
  ASSERT_TRUE(ImdsClient(transport, ImdsBaseUrl(env)).GetScheduledEvents().has_value());
  EXPECT_EQ(transport.requests()[0].url,
            "http://127.0.0.1:8080/metadata/scheduledevents?api-version=2020-07-01");
}

TEST_F(ImdsClientTest, GetsAndParsesScheduledEvents) {
  transport_.Json(200, kOneEvent);
  auto document = client_.GetScheduledEvents();
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 3);
  ASSERT_EQ(document->events.size(), 1U);
  EXPECT_EQ(document->events[0].id, "E1");
  ASSERT_EQ(transport_.request_count(), 1U);
  const http::Request request = transport_.requests()[0];
  ExpectImdsRequest(request, "GET", kEventsUrl);
  EXPECT_TRUE(request.body.empty());
}

TEST_F(ImdsClientTest, AcknowledgesWithTheExactStartRequestsBody) {
  transport_.Respond(http::Response{200, {}, ""});
  ASSERT_TRUE(client_.AcknowledgeEvents({"E1", "E2"}).has_value());
  ASSERT_EQ(transport_.request_count(), 1U);
  const http::Request request = transport_.requests()[0];
  ExpectImdsRequest(request, "POST", kEventsUrl);
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.body, R"({"StartRequests":[{"EventId":"E1"},{"EventId":"E2"}]})");
}

TEST_F(ImdsClientTest, AcknowledgingNothingSendsNothing) {
  EXPECT_TRUE(client_.AcknowledgeEvents({}).has_value());
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(ImdsClientTest, EventIdsAreJsonEscapedInTheBody) {
  transport_.Respond(http::Response{200, {}, ""});
  ASSERT_TRUE(client_.AcknowledgeEvents({R"(a"b)"}).has_value());
  EXPECT_EQ(transport_.requests()[0].body, R"({"StartRequests":[{"EventId":"a\"b"}]})");
}

TEST_F(ImdsClientTest, ReadsComputeAndTheTrimmedVmName) {
  transport_.Json(200, R"({"name":"vm-1","location":"westeurope"})");
  transport_.Json(200, R"({"name":"  vm-1\n","location":"westeurope"})");
  auto compute = client_.Compute();
  ASSERT_TRUE(compute.has_value()) << compute.error().ToString();
  EXPECT_EQ((*compute)["location"], "westeurope");
  auto name = client_.VmName();
  ASSERT_TRUE(name.has_value()) << name.error().ToString();
  EXPECT_EQ(*name, "vm-1");
  ASSERT_EQ(transport_.request_count(), 2U);
  ExpectImdsRequest(transport_.requests()[0], "GET", kComputeUrl);
  ExpectImdsRequest(transport_.requests()[1], "GET", kComputeUrl);
}

TEST_F(ImdsClientTest, MissingOrEmptyVmNameIsNotFound) {
  transport_.Json(200, R"({"name":""})");
  transport_.Json(200, R"({"location":"westeurope"})");
  transport_.Json(200, R"({"name":"   "})");
  for (int i = 0; i < 3; ++i) {
    auto name = client_.VmName();
    ASSERT_FALSE(name.has_value());
    EXPECT_EQ(name.error().code, ErrorCode::kNotFound);
  }
}

TEST_F(ImdsClientTest, ConnectionFailureMeansNotAnAzureVm) {
  transport_.FailWith(ErrorCode::kUnavailable, "connection refused");
  transport_.FailWith(ErrorCode::kDeadlineExceeded, "timed out");
  for (int i = 0; i < 2; ++i) {
    auto document = client_.GetScheduledEvents();
    ASSERT_FALSE(document.has_value());
    EXPECT_EQ(document.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(document.error().retryable);
    EXPECT_NE(document.error().advice.find("not an Azure VM"), std::string::npos)
        << document.error().ToString();
    EXPECT_EQ(document.error().context, std::string("GET ") + kEventsUrl);
    EXPECT_EQ(document.error().http_status, 0);
  }
}

TEST_F(ImdsClientTest, BadRequestIsInvalidArgumentWithImdsMessage) {
  transport_.Json(400, R"({"error":"bad_request","error_description":"Unknown EventId"})");
  auto status = client_.AcknowledgeEvents({"nope"});
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(status.error().retryable);
  EXPECT_EQ(status.error().http_status, 400);
  EXPECT_NE(status.error().detail.find("Unknown EventId"), std::string::npos)
      << status.error().detail;
  EXPECT_EQ(status.error().context, std::string("POST ") + kEventsUrl);
}

TEST_F(ImdsClientTest, BadRequestWithAPlainBodyQuotesTheBody) {
  transport_.Respond(http::Response{400, {}, "Bad Request: missing Metadata header"});
  auto document = client_.GetScheduledEvents();
  ASSERT_FALSE(document.has_value());
  EXPECT_EQ(document.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(document.error().detail.find("missing Metadata header"), std::string::npos);
}

TEST_F(ImdsClientTest, TransientStatusesAreRetryableUnavailable) {
  for (int status : {404, 410, 429, 500, 503}) {
    transport_.Json(status, R"({"error":"busy"})");
    auto document = client_.GetScheduledEvents();
    ASSERT_FALSE(document.has_value()) << status;
    EXPECT_EQ(document.error().code, ErrorCode::kUnavailable) << status;
    EXPECT_TRUE(document.error().retryable) << status;
    EXPECT_EQ(document.error().http_status, status);
  }
  EXPECT_EQ(transport_.request_count(), 5U);  // no retries inside the client
}

TEST_F(ImdsClientTest, OtherStatusesAreInternal) {
  transport_.Json(403, R"({"error":"forbidden"})");
  auto compute = client_.Compute();
  ASSERT_FALSE(compute.has_value());
  EXPECT_EQ(compute.error().code, ErrorCode::kInternal);
  EXPECT_EQ(compute.error().http_status, 403);
}

TEST_F(ImdsClientTest, NonJsonAnswersAreInvalidArgument) {
  transport_.Respond(http::Response{200, {}, "<html>captive portal</html>"});
  transport_.Respond(http::Response{200, {}, "<html>captive portal</html>"});
  transport_.Json(200, R"(["not","an","object"])");
  auto document = client_.GetScheduledEvents();
  ASSERT_FALSE(document.has_value());
  EXPECT_EQ(document.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(document.error().context, std::string("GET ") + kEventsUrl);
  EXPECT_EQ(document.error().http_status, 200);
  for (int i = 0; i < 2; ++i) {
    auto compute = client_.Compute();
    ASSERT_FALSE(compute.has_value());
    EXPECT_EQ(compute.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace agentboot::imds

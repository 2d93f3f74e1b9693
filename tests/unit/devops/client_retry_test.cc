// Throttling and retries (identity-contract §6.5, agent-contract §8): sleeps go through FakeClock.
#include "client_fixture.h"

namespace agentboot::devops::testing {
namespace {

using std::chrono::seconds;

TEST_F(ClientTest, RetriesThrottledCallAfterRetryAfter) {
  transport_.Json(429, R"({"message":"TF400733: The request has been canceled"})",
                  {{"Retry-After", "30"}});
  transport_.Json(200, Collection(R"({"id":7,"name":"p"})", 1));
  const auto pools = client().ListPools("p");
  ASSERT_TRUE(pools.has_value()) << pools.error().ToString();
  EXPECT_EQ(pools->front().id, 7);
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{seconds(30)});
  EXPECT_EQ(transport_.request_count(), 2U);
  EXPECT_EQ(tokens_.calls(), 2);  // a fresh token for the retry too
}

TEST_F(ClientTest, HonoursRateLimitResetWhenNoRetryAfter) {
  const int64_t reset = ToUnixSeconds(env_.clock.Now()) + 20;
  transport_.Json(503, "{}", {{"X-RateLimit-Reset", std::to_string(reset)}});
  transport_.Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{seconds(20)});
}

TEST_F(ClientTest, RetriesAreBoundedAndEndThrottled) {
  transport_.Fallback([](const http::Request&) -> Result<http::Response> {
    return http::Response{429, {{"Content-Type", "application/json"}, {"Retry-After", "1"}}, "{}"};
  });
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kThrottled);
  EXPECT_EQ(transport_.request_count(), 6U);  // ClientOptions' default: 6 tries
  EXPECT_EQ(env_.clock.sleeps().size(), 5U);
}

TEST_F(ClientTest, BadGatewayAndTimeoutsAreRetriedForReads) {
  transport_.Json(502, "{}").FailWith(ErrorCode::kDeadlineExceeded);
  transport_.Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  EXPECT_EQ(transport_.request_count(), 3U);
  // Exponential back-off from 1 s with the jitter fixed at 1.0.
  EXPECT_EQ(env_.clock.sleeps(), (std::vector<Duration>{seconds(1), seconds(2)}));
}

TEST_F(ClientTest, InternalServerErrorIsNotRetried) {
  transport_.Json(500, R"({"message":"boom"})");
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kInternal);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST_F(ClientTest, RetryableTokenErrorIsNotRetriedHere) {
  Error error = MakeError(ErrorCode::kUnavailable, "imds", "no answer");
  error.retryable = true;
  tokens_.FailNext(error);
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(tokens_.calls(), 1);
  EXPECT_TRUE(env_.clock.sleeps().empty());
}

TEST_F(ClientTest, AddAgentChecksByNameBeforeRepostingAfterTimeout) {
  transport_.FailWith(ErrorCode::kDeadlineExceeded, "timed out");
  transport_.Json(200, Collection("", 0));        // the agent was not created
  transport_.Json(200, AgentJson(12, "host-1"));  // second POST
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_TRUE(added.has_value()) << added.error().ToString();
  EXPECT_EQ(added->id, 12);
  ASSERT_EQ(transport_.request_count(), 3U);
  EXPECT_EQ(Sent(0).method, "POST");
  EXPECT_EQ(Sent(1).method, "GET");
  EXPECT_NE(Sent(1).url.find("agents?agentName=host-1"), std::string::npos);
  EXPECT_EQ(Sent(2).method, "POST");
}

TEST_F(ClientTest, AddAgentReturnsAgentCreatedByLostPost) {
  transport_.Json(503, "{}", {{"Retry-After", "5"}});
  transport_.Json(200, Collection(AgentJson(12, "host-1"), 1));
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_TRUE(added.has_value()) << added.error().ToString();
  EXPECT_EQ(added->id, 12);
  EXPECT_EQ(transport_.request_count(), 2U);  // no second POST: no duplicate agent
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{seconds(5)});
}

TEST_F(ClientTest, AddAgentRetriesAreBounded) {
  transport_.Fallback([](const http::Request& request) -> Result<http::Response> {
    if (request.method == "POST") {
      return http::Response{504, {{"Content-Type", "application/json"}}, "{}"};
    }
    return http::Response{200, {{"Content-Type", "application/json"}}, R"({"count":0,"value":[]})"};
  });
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kUnavailable);
  size_t posts = 0;
  for (const auto& request : transport_.requests()) posts += request.method == "POST" ? 1U : 0U;
  EXPECT_EQ(posts, 6U);
}

TEST_F(ClientTest, WarnsWhenRateLimitIsReached) {
  transport_.Json(200, Collection("", 0),
                  {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Resource", "Core"}});
  transport_.Json(200, Collection("", 0), {{"X-RateLimit-Delay", "1.250"}});
  ASSERT_TRUE(client().ListPools().has_value());
  ASSERT_TRUE(client().ListPools().has_value());
  int warnings = 0;
  for (const auto& entry : env_.log.entries()) {
    warnings += entry.level == LogLevel::kWarning ? 1 : 0;
  }
  EXPECT_EQ(warnings, 2);
  EXPECT_TRUE(env_.log.Contains("1.250"));
  EXPECT_TRUE(env_.clock.sleeps().empty());
}

TEST_F(ClientTest, LogsNeverContainTheToken) {
  transport_.Json(429, "{}", {{"Retry-After", "1"}}).Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  EXPECT_FALSE(env_.log.Contains("token-1"));
}

}  // namespace
}  // namespace agentboot::devops::testing

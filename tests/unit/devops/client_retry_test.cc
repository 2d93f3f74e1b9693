// Throttling and retries (identity-contract §6.5, agent-contract §8): sleeps go through FakeClock.
#include "client_fixture.h"

namespace agentboot::devops::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST_F(ClientTest, RetriesThrottledCallAfterRetryAfter) {
  transport_.Json(429, R"({"message":"TF400733: The request has been canceled"})",
                  {{"Retry-After", "30"}});
  transport_.Json(200, Collection(R"({"id":7,"name":"p"})", 1));
  const auto pools = client().ListPools("p");
  ASSERT_TRUE(pools.has_value()) << pools.error().ToString();
  EXPECT_EQ(pools->front().id, 7);
  // The server's 30 s plus half (the fixed random 0.5) of the first spread window of 1 s.
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{milliseconds(30'500)});
  EXPECT_EQ(transport_.request_count(), 2U);
  EXPECT_EQ(tokens_.calls(), 2);  // a fresh token for the retry too
}

TEST_F(ClientTest, HonoursRateLimitResetWhenNoRetryAfter) {
  const int64_t reset = ToUnixSeconds(env_.clock.Now()) + 20;
  transport_.Json(503, "{}", {{"X-RateLimit-Reset", std::to_string(reset)}});
  transport_.Json(200, Collection("", 0));
  ASSERT_TRUE(client().ListPools().has_value());
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{milliseconds(20'500)});
}

// Throttling is bounded by time, not tries: a call told to come back keeps coming back until
// ClientOptions' 10 minutes from its first try are spent, then ends throttled with advice.
TEST_F(ClientTest, RetriesAreBoundedAndEndThrottled) {
  const TimePoint start = env_.clock.Now();
  std::vector<TimePoint> sent;
  transport_.Fallback([&](const http::Request&) -> Result<http::Response> {
    sent.push_back(env_.clock.Now());
    return http::Response{429, {{"Content-Type", "application/json"}, {"Retry-After", "1"}}, "{}"};
  });
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kThrottled);
  EXPECT_NE(pools.error().advice.find("rate-limits this identity"), std::string::npos);
  EXPECT_NE(pools.error().detail.find("gave up after"), std::string::npos) << pools.error().detail;
  // Far more than 6 tries, the last one at the deadline, none after it.
  EXPECT_GT(transport_.request_count(), 30U);
  EXPECT_EQ(env_.clock.sleeps().size(), transport_.request_count() - 1);
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.back(), start + minutes(10));
  EXPECT_EQ(env_.clock.Now(), start + minutes(10));
}

TEST_F(ClientTest, LongRetryAfterSequenceIsFollowedToTheDeadline) {
  std::vector<TimePoint> sent;
  transport_.Fallback([&](const http::Request&) -> Result<http::Response> {
    sent.push_back(env_.clock.Now());
    return http::Response{429, {{"Content-Type", "application/json"}, {"Retry-After", "70"}}, "{}"};
  });
  const TimePoint start = env_.clock.Now();
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kThrottled);
  ASSERT_GE(sent.size(), 8U);  // about 600 s / 70 s, each wait plus its spread
  for (size_t i = 1; i < sent.size(); ++i) {
    EXPECT_GE(sent[i] - sent[i - 1], seconds(70)) << "try " << i << " came back early";
  }
  EXPECT_LE(sent.back(), start + minutes(10));
  // The next wait (70 s) did not fit what was left: it ended without sleeping.
  EXPECT_GT(sent.back() + seconds(70), start + minutes(10));
  EXPECT_EQ(env_.clock.Now(), sent.back());
}

TEST_F(ClientTest, RetryAfterBeyondTheBudgetEndsAtOnceWithAdvice) {
  transport_.Json(429, R"({"message":"TF400733: The request has been canceled"})",
                  {{"Retry-After", "900"}});  // 15 minutes: more than the 10-minute budget
  const auto pools = client().ListPools();
  ASSERT_FALSE(pools.has_value());
  EXPECT_EQ(pools.error().code, ErrorCode::kThrottled);
  EXPECT_FALSE(pools.error().advice.empty());
  EXPECT_NE(pools.error().detail.find("asked to wait 900 s"), std::string::npos)
      << pools.error().detail;
  EXPECT_EQ(transport_.request_count(), 1U);
  EXPECT_TRUE(env_.clock.sleeps().empty());
}

TEST_F(ClientTest, ThrottleBudgetIsConfigurable) {
  options_.throttle.budget = seconds(5);
  transport_.Fallback([](const http::Request&) -> Result<http::Response> {
    return http::Response{429, {{"Content-Type", "application/json"}, {"Retry-After", "2"}}, "{}"};
  });
  ASSERT_FALSE(client().ListPools().has_value());
  // 2.5 s, then 2 s + 1 s of spread cut to the 2.5 s left; then 2 s do not fit the 0 s left.
  EXPECT_EQ(env_.clock.sleeps(), (std::vector<Duration>{milliseconds(2500), milliseconds(2500)}));
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
  EXPECT_EQ(env_.clock.sleeps(), std::vector<Duration>{milliseconds(5500)});
}

TEST_F(ClientTest, AddAgentRepostsAfterThrottlingWithoutALookup) {
  // A 429 is a blocked request, never applied: looking the agent up would only cost the
  // throttled identity one more request.
  transport_.Json(429, "{}", {{"Retry-After", "3"}}).Json(429, "{}", {{"Retry-After", "3"}});
  transport_.Json(200, AgentJson(12, "host-1"));
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_TRUE(added.has_value()) << added.error().ToString();
  EXPECT_EQ(added->id, 12);
  ASSERT_EQ(transport_.request_count(), 3U);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(Sent(i).method, "POST");
  EXPECT_EQ(env_.clock.sleeps(), (std::vector<Duration>{milliseconds(3500), seconds(4)}));
}

TEST_F(ClientTest, AddAgentEndsThrottledWhenTheBudgetIsSpent) {
  transport_.Fallback([](const http::Request&) -> Result<http::Response> {
    return http::Response{
        429, {{"Content-Type", "application/json"}, {"Retry-After", "100"}}, "{}"};
  });
  Agent agent;
  agent.name = "host-1";
  const auto added = client().AddAgent(7, agent);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, ErrorCode::kThrottled);
  for (const auto& request : transport_.requests()) EXPECT_EQ(request.method, "POST");
  EXPECT_GE(transport_.request_count(), 5U);  // 100 s and more each, within 10 minutes
  EXPECT_LE(transport_.request_count(), 7U);
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

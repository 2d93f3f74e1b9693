// The IMDS retry table (identity-contract §2), driven through the IMDS source.
#include "retry.h"

#include <numeric>

#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::ScriptedTransport;
using testing::TokenBody;

class ImdsRetryTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.random.Fix(0.5); }  // BackoffDelay jitter factor exactly 1
  Result<AccessToken> Get() {
    return MakeImdsSource(options_, Deps{fake_.env, transport_}, false)->GetToken(TokenRequest{});
  }
  Duration TotalSleep() const {
    const auto sleeps = fake_.clock.sleeps();
    return std::accumulate(sleeps.begin(), sleeps.end(), Duration::zero());
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  IdentityOptions options_;
};

class RetriedStatus : public ImdsRetryTest, public ::testing::WithParamInterface<int> {};

TEST_P(RetriedStatus, IsRetriedWithBackoffThenSucceeds) {
  transport_.Json(GetParam(), "{}")
      .Json(GetParam(), "{}")
      .Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(transport_.request_count(), 3U);
  const auto sleeps = fake_.clock.sleeps();
  ASSERT_EQ(sleeps.size(), 2U);
  EXPECT_LT(sleeps[0], sleeps[1]);  // exponential
  EXPECT_TRUE(fake_.log.Contains("HTTP " + std::to_string(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(Imds, RetriedStatus, ::testing::Values(404, 408, 429, 500, 503));

TEST_F(ImdsRetryTest, GoneIsRetriedForAtLeastSeventySeconds) {
  for (int i = 0; i < 20; ++i) transport_.Json(410, "{}");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().http_status, 410);
  EXPECT_GE(TotalSleep(), std::chrono::seconds(70));
  EXPECT_EQ(transport_.request_count(), static_cast<size_t>(detail::kGoneMaxAttempts));
}

TEST_F(ImdsRetryTest, GoneRecoversWithinTheBudget) {
  for (int i = 0; i < 6; ++i) transport_.Json(410, "{}");
  transport_.Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  EXPECT_TRUE(Get().has_value());
  EXPECT_EQ(TotalSleep(), std::chrono::seconds(60));
}

// Security review M7 (D11a/D11b): a 410 with an absurd Retry-After waits at most five minutes
// per attempt, like every other path; before the fix it slept 999999 s or overflowed.
class GoneWithRetryAfter : public ImdsRetryTest,
                           public ::testing::WithParamInterface<const char*> {};

TEST_P(GoneWithRetryAfter, WaitIsCappedAtFiveMinutesPerAttempt) {
  for (int i = 0; i < 3; ++i) transport_.Json(410, "{}", {{"Retry-After", GetParam()}});
  transport_.Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  ASSERT_TRUE(Get().has_value());
  ASSERT_EQ(fake_.clock.sleeps().size(), 3U);
  for (const Duration sleep : fake_.clock.sleeps()) EXPECT_EQ(sleep, std::chrono::minutes(5));
}

INSTANTIATE_TEST_SUITE_P(Imds, GoneWithRetryAfter,
                         ::testing::Values("999999", "99999999999999999", "9223372036854775807",
                                           "Fri, 31 Dec 2199 23:59:59 GMT"));

TEST_F(ImdsRetryTest, TooManyRequestsWaitsExactlyRetryAfter) {
  transport_.Json(429, "{}", {{"Retry-After", "7"}})
      .Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  ASSERT_TRUE(Get().has_value());
  ASSERT_EQ(fake_.clock.sleeps().size(), 1U);
  EXPECT_EQ(fake_.clock.sleeps()[0], std::chrono::seconds(7));
}

// A throttled burst spreads its retries wider than other failures do: 0.2x-1.8x of the back-off.
TEST_F(ImdsRetryTest, TooManyRequestsSpreadsItsRetriesWiderThanServerErrors) {
  const auto first_sleep = [this](int status, double draw) {
    fake_.random.Fix(draw);
    transport_.Json(status, "{}").Json(200, TokenBody("t", fake_.clock.Now(), 3600));
    const size_t before = fake_.clock.sleeps().size();
    EXPECT_TRUE(Get().has_value());
    return fake_.clock.sleeps().at(before);
  };
  EXPECT_EQ(first_sleep(429, 0.0), std::chrono::milliseconds(200));
  EXPECT_EQ(first_sleep(429, 1.0), std::chrono::milliseconds(1800));
  EXPECT_EQ(first_sleep(503, 0.0), std::chrono::milliseconds(800));
  EXPECT_EQ(first_sleep(503, 1.0), std::chrono::milliseconds(1200));
}

TEST_F(ImdsRetryTest, PersistentServerErrorGivesUpAfterTheBudget) {
  for (int i = 0; i < 20; ++i) transport_.Json(503, "{}");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(transport_.request_count(),
            static_cast<size_t>(detail::BackoffFor(detail::EndpointFamily::kImds).max_attempts));
}

TEST_F(ImdsRetryTest, TimeoutIsRetried) {
  transport_.FailWith(ErrorCode::kDeadlineExceeded, "timed out")
      .Json(200, TokenBody("t", fake_.clock.Now(), 3600));
  EXPECT_TRUE(Get().has_value());
  EXPECT_EQ(transport_.request_count(), 2U);
  EXPECT_EQ(fake_.clock.sleeps().size(), 1U);
}

TEST_F(ImdsRetryTest, PersistentTimeoutIsDeadlineExceeded) {
  for (int i = 0; i < 20; ++i) transport_.FailWith(ErrorCode::kDeadlineExceeded, "timed out");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_FALSE(result.error().advice.empty());
}

TEST_F(ImdsRetryTest, BadRequestIsNotRetried) {
  transport_.Json(400, R"({"error":"invalid_request","error_description":"bad resource"})");
  EXPECT_FALSE(Get().has_value());
  EXPECT_EQ(transport_.request_count(), 1U);
  EXPECT_TRUE(fake_.clock.sleeps().empty());
}

TEST(RetryTable, FamiliesDiffer) {
  using detail::EndpointFamily;
  EXPECT_TRUE(detail::IsRetryableStatus(EndpointFamily::kImds, 410));
  EXPECT_FALSE(detail::IsRetryableStatus(EndpointFamily::kManagedIdentity, 410));
  EXPECT_TRUE(detail::IsRetryableStatus(EndpointFamily::kManagedIdentity, 404));
  EXPECT_FALSE(detail::IsRetryableStatus(EndpointFamily::kEntra, 404));
  EXPECT_FALSE(detail::IsRetryableStatus(EndpointFamily::kEntra, 400));
  EXPECT_TRUE(detail::IsRetryableStatus(EndpointFamily::kEntra, 429));
}

}  // namespace
}  // namespace agentboot::identity

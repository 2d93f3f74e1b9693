#include "token_parser.h"

#include <ctime>

#include <gtest/gtest.h>

#include "agentboot/identity.h"

namespace agentboot::identity {
namespace {

const TimePoint kNow = FromUnixSeconds(1'800'000'000);

TimePoint ExpiryOf(const std::string& body) {
  auto token = ParseTokenResponse(body, kNow, "test");
  EXPECT_TRUE(token.has_value()) << (token ? "" : token.error().ToString());
  return token ? token->expires_on : TimePoint{};
}

TEST(ParseTokenResponse, ImdsStringFields) {
  auto token = ParseTokenResponse(
      R"({"access_token":"abc","expires_in":"86399","expires_on":"1800086399","token_type":"Bearer"})",
      kNow, "imds");
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->token.Reveal(), "abc");
  EXPECT_EQ(token->expires_on, FromUnixSeconds(1'800'086'399));
  EXPECT_EQ(token->source, "imds");
  EXPECT_FALSE(token->refresh_on.has_value());
  EXPECT_FALSE(token->is_pat);
}

TEST(ParseTokenResponse, NumericExpiresInFromEntra) {
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_in":3599,"token_type":"Bearer"})"),
            kNow + std::chrono::seconds(3599));
}

TEST(ParseTokenResponse, ExpiresOnNumberWinsOverExpiresIn) {
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_in":10,"expires_on":1800005000})"),
            FromUnixSeconds(1'800'005'000));
}

TEST(ParseTokenResponse, SmallExpiresOnIsRelative) {
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"3600"})"),
            kNow + std::chrono::seconds(3600));
}

TEST(ParseTokenResponse, Rfc3339AndRfc1123AndAppService2017Formats) {
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"2027-01-15T08:00:00Z"})"),
            FromUnixSeconds(1'800'000'000));
  const TimePoint noon = FromUnixSeconds(1'795'953'600);  // 2026-11-29T12:00:00Z
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"2026-11-29T12:00:00.1234567+00:00"})"),
            noon);
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"2026-11-29T13:30:00+01:30"})"), noon);
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"Sun, 29 Nov 2026 12:00:00 GMT"})"), noon);
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"11/29/2026 12:00:00 PM +00:00"})"), noon);
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"11/29/2026 12:00:00 AM +00:00"})"),
            noon - std::chrono::hours(12));
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":"11/29/2026 15:18:31 +00:00"})"),
            noon + std::chrono::seconds(3 * 3600 + 18 * 60 + 31));
}

TEST(ParseTokenResponse, RefreshInIsHonoured) {
  auto token = ParseTokenResponse(R"({"access_token":"a","expires_in":86400,"refresh_in":43200})",
                                  kNow, "test");
  ASSERT_TRUE(token.has_value());
  ASSERT_TRUE(token->refresh_on.has_value());
  EXPECT_EQ(*token->refresh_on, kNow + std::chrono::hours(12));
}

TEST(ParseTokenResponse, RejectsMissingTokenOrExpiryOrNonJson) {
  EXPECT_EQ(ParseTokenResponse(R"({"expires_in":10})", kNow, "t").error().code,
            ErrorCode::kInternal);
  EXPECT_EQ(ParseTokenResponse(R"({"access_token":"a"})", kNow, "t").error().code,
            ErrorCode::kInternal);
  EXPECT_EQ(
      ParseTokenResponse(R"({"access_token":"a","expires_on":"soon"})", kNow, "t").error().code,
      ErrorCode::kInternal);
  EXPECT_EQ(ParseTokenResponse("<html>", kNow, "t").error().code, ErrorCode::kInternal);
}

TEST(ParseTokenResponse, ErrorsNeverContainTheToken) {
  auto result = ParseTokenResponse(R"({"access_token":"sekrit-value"})", kNow, "t");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().ToString().find("sekrit"), std::string::npos);
}

TEST(ParseLocalTimestamp, ReadsAzureCliExpiresOnAsLocalTime) {
  std::tm parts{};
  parts.tm_year = 2022 - 1900;
  parts.tm_mon = 7;
  parts.tm_mday = 24;
  parts.tm_min = 43;
  parts.tm_sec = 8;
  parts.tm_isdst = -1;
  const auto expected = FromUnixSeconds(static_cast<int64_t>(std::mktime(&parts)));
  EXPECT_EQ(detail::ParseLocalTimestamp("2022-08-24 00:43:08.000000"), expected);
  EXPECT_EQ(detail::ParseLocalTimestamp("2022-08-24T00:43:08"), expected);
  EXPECT_FALSE(detail::ParseLocalTimestamp("yesterday").has_value());
}

TEST(TokenRequest, ScopeAndResourceRoundTrip) {
  TokenRequest request;
  EXPECT_EQ(request.Scope(), "499b84ac-1321-427f-aa17-267ca6975798/.default");
  EXPECT_EQ(ResourceFromScope(request.Scope()), request.resource);
  request.resource = "api://x/.default";
  EXPECT_EQ(request.Scope(), "api://x/.default");
  EXPECT_EQ(ResourceFromScope("plain"), "plain");
}

// Security review L6 (D4a/D4b/D4e/D4f): lifetimes beyond 30 days and numbers that do not fit are
// refused before any chrono arithmetic (before the fix 1e10 gave an expiry in 1759).
class AbsurdExpiry : public ::testing::TestWithParam<std::string> {};

TEST_P(AbsurdExpiry, IsRefusedWithoutOverflow) {
  const std::string body = R"({"access_token":"a",)" + GetParam() + "}";
  auto token = ParseTokenResponse(body, kNow, "t");
  ASSERT_FALSE(token.has_value()) << body << " gave " << FormatUtc(token->expires_on);
  EXPECT_NE(token.error().detail.find("30 days"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(SecurityReviewL6, AbsurdExpiry,
                         ::testing::Values(R"("expires_in":1e10)", R"("expires_in":10000000000)",
                                           R"("expires_in":9223372036854775807)",
                                           R"("expires_in":18446744073709551615)",
                                           R"("expires_in":"1e18")", R"("expires_in":1e300)",
                                           R"("expires_in":-1e300)", R"("expires_in":2592001)",
                                           R"("expires_on":99999999999)",
                                           R"("expires_on":"99999999999")", R"("expires_on":1e18)",
                                           R"("expires_on":9223372036854775807)",
                                           R"("expires_on":"9999-12-31T23:59:59Z")",
                                           R"("expires_on":"2200-01-01T00:00:00Z")",
                                           R"("expires_on":"12/31/2199 11:59:59 PM +00:00")"));

TEST(ParseTokenResponse, LifetimeUpToThirtyDaysIsAccepted) {
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_in":2592000})"),
            kNow + std::chrono::hours(24 * 30));
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":1802592000})"),
            FromUnixSeconds(1'802'592'000));
  // An absurd expires_on falls back to a sane expires_in.
  EXPECT_EQ(ExpiryOf(R"({"access_token":"a","expires_on":99999999999,"expires_in":3600})"),
            kNow + std::chrono::hours(1));
}

TEST(FromUnixSeconds, SaturatesInsteadOfOverflowing) {
  EXPECT_GT(FromUnixSeconds(INT64_MAX), FromUnixSeconds(7'000'000'000));  // year 2191
  EXPECT_EQ(FromUnixSeconds(INT64_MAX), FromUnixSeconds(99'999'999'999));
  EXPECT_LT(FromUnixSeconds(INT64_MIN), FromUnixSeconds(0));
  EXPECT_EQ(ToUnixSeconds(FromUnixSeconds(1'800'000'000)), 1'800'000'000);
}

}  // namespace
}  // namespace agentboot::identity

// The agent's client assertion, exactly per agent-contract §3.

#include <gtest/gtest.h>

#include "agentboot/agent.h"

#include "test_key.h"

namespace agentboot::agent {
namespace {

using testing::TestKey;

constexpr int64_t kNow = 1'800'000'000;
const CredentialData kCredentials{"client-guid", "https://auth.test/authorize",
                                  "https://auth.test/token"};

std::string Part(const std::string& token, int index) {
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string encoded =
      index == 0 ? token.substr(0, first) : token.substr(first + 1, second - first - 1);
  return jose::Base64UrlDecode(encoded).value();
}

TEST(BuildJwtAssertion, HeaderIsTypThenAlg) {
  auto token = BuildJwtAssertion(kCredentials, TestKey(), kNow, "jti-1");
  ASSERT_TRUE(token) << token.error().ToString();
  EXPECT_EQ(Part(*token, 0), R"({"typ":"JWT","alg":"RS256"})");
}

TEST(BuildJwtAssertion, ClaimsMatchTheDotNetClient) {
  auto token = BuildJwtAssertion(kCredentials, TestKey(), kNow, "jti-1");
  ASSERT_TRUE(token);
  EXPECT_EQ(Part(*token, 1),
            R"({"sub":"client-guid","jti":"jti-1","iss":"client-guid",)"
            R"("aud":"https://auth.test/authorize","nbf":1800000000,"exp":1800000300})");
}

TEST(BuildJwtAssertion, AudienceIsAuthorizationUrlNotTokenEndpoint) {
  auto token = BuildJwtAssertion(kCredentials, TestKey(), kNow, "j");
  ASSERT_TRUE(token);
  auto jwt = jose::DecodeJwt(*token);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->claims.at("aud"), kCredentials.authorization_url);
  EXPECT_FALSE(jwt->claims.contains("iat"));
}

TEST(BuildJwtAssertion, VerifiesForFiveMinutesOnly) {
  auto token = BuildJwtAssertion(kCredentials, TestKey(), kNow, "j");
  ASSERT_TRUE(token);
  EXPECT_TRUE(jose::VerifyJwt(*token, TestKey(), {.now = kNow}));
  EXPECT_TRUE(jose::VerifyJwt(*token, TestKey(), {.now = kNow + 299}));
  auto expired = jose::VerifyJwt(*token, TestKey(), {.now = kNow + kAssertionLifetimeSeconds});
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().detail, "expired");
}

TEST(BuildJwtAssertion, RejectsMissingInputs) {
  EXPECT_FALSE(BuildJwtAssertion({"", "https://a", "https://t"}, TestKey(), kNow, "j"));
  EXPECT_FALSE(BuildJwtAssertion({"c", "", "https://t"}, TestKey(), kNow, "j"));
  EXPECT_FALSE(BuildJwtAssertion(kCredentials, TestKey(), kNow, ""));
  auto pub = jose::RsaKey::FromPem(TestKey().PublicPem());
  ASSERT_TRUE(pub);
  auto no_private = BuildJwtAssertion(kCredentials, *pub, kNow, "j");
  ASSERT_FALSE(no_private);
  EXPECT_EQ(no_private.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace agentboot::agent

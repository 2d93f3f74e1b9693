#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/oidc.h"

#include "fixed_key.h"

namespace agentboot::oidc {
namespace {

constexpr int64_t kNow = 1'800'000'000;

jose::RsaKey FixedKey(std::string_view pem = testing::kPkcs8Private) {
  auto keys = ParseKeys(pem, "fixed");
  EXPECT_TRUE(keys);
  return std::move(keys->front());
}

ServiceAccountTokenSpec Spec() {
  ServiceAccountTokenSpec spec;
  spec.issuer = "https://issuer.example/cluster/";
  spec.subject = "system:serviceaccount:agents:agentboot";
  return spec;
}

TEST(MintServiceAccountToken, LooksLikeAProjectedTokenAndVerifiesWithTheJwksKey) {
  agentboot::testing::SeededRandom random;
  const jose::RsaKey key = FixedKey();
  auto token = MintServiceAccountToken(key, Spec(), kNow, random);
  ASSERT_TRUE(token) << token.error().ToString();
  auto public_key = FixedKey(testing::kPublic);
  auto jwt = jose::VerifyJwt(*token, public_key, {kNow, 0, true});
  ASSERT_TRUE(jwt) << jwt.error().ToString();
  EXPECT_EQ(jwt->header["alg"], "RS256");
  EXPECT_EQ(jwt->header["kid"], "C1iP_fBXmzOFM8VysNhNia36ZdsltWhOJU8XkiXlUkQ");
  EXPECT_EQ(jwt->claims["aud"], nlohmann::json::array({"api://AzureADTokenExchange"}));
  EXPECT_EQ(jwt->claims["iss"], "https://issuer.example/cluster/");
  EXPECT_EQ(jwt->claims["sub"], "system:serviceaccount:agents:agentboot");
  EXPECT_EQ(jwt->claims["iat"], kNow);
  EXPECT_EQ(jwt->claims["nbf"], kNow);
  EXPECT_EQ(jwt->claims["exp"], kNow + 3600);
  EXPECT_EQ(jwt->claims["kubernetes.io"]["namespace"], "agents");
  EXPECT_EQ(jwt->claims["kubernetes.io"]["serviceaccount"]["name"], "agentboot");
  EXPECT_EQ(jwt->claims["jti"].get<std::string>().size(), 36U);
}

TEST(MintServiceAccountToken, NeedsThePrivateKey) {
  agentboot::testing::SeededRandom random;
  auto token = MintServiceAccountToken(FixedKey(testing::kPublic), Spec(), kNow, random);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().code, ErrorCode::kInvalidArgument);
}

TEST(MintServiceAccountToken, RefusesABadIssuerAndLifetime) {
  agentboot::testing::SeededRandom random;
  auto spec = Spec();
  spec.issuer = "http://issuer.example/";
  EXPECT_FALSE(MintServiceAccountToken(FixedKey(), spec, kNow, random));
  spec = Spec();
  spec.lifetime = std::chrono::seconds(60);
  EXPECT_FALSE(MintServiceAccountToken(FixedKey(), spec, kNow, random));
}

}  // namespace
}  // namespace agentboot::oidc

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "agentboot/jose.h"

#include "test_keys.h"

namespace agentboot::jose {
namespace {

using testing::TestKey;

TEST(KeyId, IsUnpaddedBase64UrlOfSha256OfDerSpki) {
  const std::string kid = KeyId(TestKey());
  EXPECT_EQ(kid.size(), 43u);
  EXPECT_EQ(kid.find('='), std::string::npos);
  EXPECT_EQ(kid.find('+'), std::string::npos);
  EXPECT_EQ(kid.find('/'), std::string::npos);

  // Independent computation, as `openssl pkey -pubin -outform DER | openssl dgst -sha256` does.
  const std::string der = TestKey().PublicDer();
  ASSERT_FALSE(der.empty());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_EQ(EVP_Digest(der.data(), der.size(), digest, &size, EVP_sha256(), nullptr), 1);
  ASSERT_EQ(size, 32u);
  EXPECT_EQ(kid, Base64UrlEncode(Bytes(digest, digest + size)));
}

TEST(KeyId, IsTheSameForPrivateAndPublicHalves) {
  auto pub = RsaKey::FromPem(TestKey().PublicPem());
  ASSERT_TRUE(pub);
  EXPECT_EQ(KeyId(*pub), KeyId(TestKey()));
}

TEST(PublicJwk, HasAzwiMembersAndDefaultsKidToKeyId) {
  const nlohmann::json jwk = PublicJwk(TestKey());
  EXPECT_EQ(jwk.at("use"), "sig");
  EXPECT_EQ(jwk.at("kty"), "RSA");
  EXPECT_EQ(jwk.at("alg"), "RS256");
  EXPECT_EQ(jwk.at("e"), "AQAB");
  EXPECT_EQ(jwk.at("kid"), KeyId(TestKey()));
  EXPECT_EQ(jwk.at("n").get<std::string>().size(), 342u);  // 256 bytes, unpadded base64url
  EXPECT_FALSE(jwk.contains("d"));
  EXPECT_EQ(PublicJwk(TestKey(), "custom").at("kid"), "custom");
}

TEST(PublicJwk, RoundTripsThroughKeyFromJwkAndVerifiesSignatures) {
  auto key = KeyFromJwk(PublicJwk(TestKey()));
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_FALSE(key->has_private());
  auto token = SignJwt({{"sub", "x"}, {"exp", 200}}, TestKey());
  ASSERT_TRUE(token);
  EXPECT_TRUE(VerifyJwt(*token, *key, {.now = 100}));
}

TEST(KeyFromJwk, RejectsWrongKtyAndMissingMembers) {
  nlohmann::json jwk = PublicJwk(TestKey());
  jwk["kty"] = "EC";
  EXPECT_FALSE(KeyFromJwk(jwk));
  jwk = PublicJwk(TestKey());
  jwk.erase("n");
  auto missing = KeyFromJwk(jwk);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(KeyFromJwk(nlohmann::json::array()));
  jwk = PublicJwk(TestKey());
  jwk["e"] = "***";
  EXPECT_FALSE(KeyFromJwk(jwk));
}

TEST(AzwiJwks, PrintsMembersInAzwiOrderWithTwoSpaceIndent) {
  const std::string jwks = AzwiJwks({&TestKey()});
  const std::string expected_prefix =
      "{\n  \"keys\": [\n    {\n      \"use\": \"sig\",\n"
      "      \"kty\": \"RSA\",\n      \"kid\": \"" +
      KeyId(TestKey()) + "\",\n      \"alg\": \"RS256\",\n";
  EXPECT_EQ(jwks.substr(0, expected_prefix.size()), expected_prefix);
  EXPECT_TRUE(EndsWith(jwks, "\"e\": \"AQAB\"\n    }\n  ]\n}"));
}

}  // namespace
}  // namespace agentboot::jose

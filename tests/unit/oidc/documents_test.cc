#include <gtest/gtest.h>

#include "agentboot/oidc.h"

#include "fixed_key.h"

namespace agentboot::oidc {
namespace {

// `azwi jwks --public-keys pub.pem` for the fixed key, derived from azwi's format rules
// (Azure/azure-workload-identity pkg/cmd/jwks/root.go at v1.6.0, commit 04d01a2fc7f5):
// json.MarshalIndent(keySet, "", "  ") of a go-jose v2 JSONWebKeySet — members in go-jose's
// order use, kty, kid, alg, n, e; two-space indent; written with os.Stdout.Write, so no trailing
// newline. kid = base64.RawURLEncoding(SHA-256(x509.MarshalPKIXPublicKey)). The values were
// computed with openssl only, not with agentboot's code:
//   kid: openssl pkey -pubin -in pub.pem -outform DER | openssl dgst -sha256 -binary | base64 |
//        tr '+/' '-_' | tr -d '='
//   n:   openssl rsa -pubin -in pub.pem -noout -modulus | cut -d= -f2 | xxd -r -p | base64 -w0 |
//        tr '+/' '-_' | tr -d '='
constexpr std::string_view kAzwiJwksOfFixedKey =
    "{\n"
    "  \"keys\": [\n"
    "    {\n"
    "      \"use\": \"sig\",\n"
    "      \"kty\": \"RSA\",\n"
    "      \"kid\": \"C1iP_fBXmzOFM8VysNhNia36ZdsltWhOJU8XkiXlUkQ\",\n"
    "      \"alg\": \"RS256\",\n"
    "      \"n\": "
    "\"wgc4vMVb0dOltW0sZ2J6GcAy-cXf9peq9gDTvGaJhZ0LO_zdYNmL9CfE60h-HMAUrW-36HQijP2wHG4Tx_"
    "yYKvW5asVo3YDEp72UxU6q-AU8J6EDZotZMSQ3OR9AywOK2-Zenu01Qprq4z5Dv6BFAhO1nIIF7rznN8NQ4ulGGc9rv"
    "CHCXFlhCaA9mrQtmQ6TM8sGXy6uQhyfUW4m9D_ccq_uFBsWBCp-nD0EJQoM1tmNs_Z5Gk6R3rWXRUGXqoWyuhzI6KWh"
    "rjMzKHBZkGHJZmYTmJgZHrO6xZB5Crxd5PLiuACu_gq18SkVe-CEK2Z4UdkozR09eiuTUaZuWXWWLw\",\n"
    "      \"e\": \"AQAB\"\n"
    "    }\n"
    "  ]\n"
    "}";

TEST(Jwks, IsByteForByteWhatAzwiPrintsForTheFixedKey) {
  auto keys = ParseKeys(testing::kPublic, "pub.pem");
  ASSERT_TRUE(keys) << keys.error().ToString();
  EXPECT_EQ(Jwks(*keys), kAzwiJwksOfFixedKey);
}

TEST(Jwks, IsTheSameFromThePrivateKeyAndTheCertificate) {
  for (std::string_view pem :
       {testing::kPkcs8Private, testing::kPkcs1Private, testing::kCertificate}) {
    auto keys = ParseKeys(pem, "key");
    ASSERT_TRUE(keys) << keys.error().ToString();
    EXPECT_EQ(Jwks(*keys), kAzwiJwksOfFixedKey);
  }
}

TEST(Jwks, ListsEveryKeyForRotation) {
  auto generated = jose::RsaKey::Generate();
  ASSERT_TRUE(generated);
  std::string both = std::string(testing::kPublic) + generated->PublicPem();
  auto keys = ParseKeys(both, "keys");
  ASSERT_TRUE(keys);
  const auto jwks = nlohmann::json::parse(Jwks(*keys));
  ASSERT_EQ(jwks["keys"].size(), 2U);
  EXPECT_EQ(jwks["keys"][0]["kid"], "C1iP_fBXmzOFM8VysNhNia36ZdsltWhOJU8XkiXlUkQ");
  EXPECT_EQ(jwks["keys"][1]["kid"], jose::KeyId(*generated));
}

TEST(DiscoveryDocument, HasTheIssuerAndTheApiServersJwksUri) {
  auto document = DiscoveryDocument("https://acct.blob.core.windows.net/oidc/");
  ASSERT_TRUE(document) << document.error().ToString();
  EXPECT_EQ(*document,
            "{\n"
            "  \"issuer\": \"https://acct.blob.core.windows.net/oidc/\",\n"
            "  \"jwks_uri\": \"https://acct.blob.core.windows.net/oidc/openid/v1/jwks\",\n"
            "  \"response_types_supported\": [\n    \"id_token\"\n  ],\n"
            "  \"subject_types_supported\": [\n    \"public\"\n  ],\n"
            "  \"id_token_signing_alg_values_supported\": [\n    \"RS256\"\n  ]\n"
            "}");
}

TEST(DiscoveryDocument, KeepsTheIssuerWithoutTrailingSlashAsGiven) {
  auto document = DiscoveryDocument("https://issuer.example/cluster");
  ASSERT_TRUE(document);
  const auto json = nlohmann::json::parse(*document);
  EXPECT_EQ(json["issuer"], "https://issuer.example/cluster");
  EXPECT_EQ(json["jwks_uri"], "https://issuer.example/cluster/openid/v1/jwks");
}

TEST(ValidateIssuer, RefusesWhatEntraCannotUse) {
  for (const char* bad : {"http://issuer.example/", " https://issuer.example/",
                          "https://issuer.example/ ", "https://", "https:///path",
                          "https://issuer.example/?x=1", "https://issuer.example/#f", ""}) {
    auto valid = ValidateIssuer(bad);
    ASSERT_FALSE(valid) << bad;
    EXPECT_EQ(valid.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(valid.error().advice.empty()) << bad;
  }
  EXPECT_FALSE(ValidateIssuer("https://issuer.example/" + std::string(600, 'a')));
  EXPECT_TRUE(ValidateIssuer("https://issuer.example/"));
  EXPECT_TRUE(ValidateIssuer("https://issuer.example"));
}

TEST(JwksUri, JoinsWithOneSlash) {
  EXPECT_EQ(JwksUri("https://a.example/x/"), "https://a.example/x/openid/v1/jwks");
  EXPECT_EQ(JwksUri("https://a.example/x"), "https://a.example/x/openid/v1/jwks");
}

}  // namespace
}  // namespace agentboot::oidc

#include <gtest/gtest.h>

#include "agentboot/jose.h"

#include "test_keys.h"

namespace agentboot::jose {
namespace {

using testing::OtherTestKey;
using testing::TestKey;

constexpr int64_t kNow = 1'800'000'000;

nlohmann::json Claims() {
  return {{"iss", "me"}, {"sub", "me"}, {"nbf", kNow}, {"exp", kNow + 300}};
}

std::string Token(const nlohmann::json& claims = Claims()) {
  auto token = SignJwt(claims, TestKey());
  EXPECT_TRUE(token);
  return token.value_or("");
}

TEST(Jwt, SignThenVerifyRoundTrips) {
  auto jwt = VerifyJwt(Token(), TestKey(), {.now = kNow});
  ASSERT_TRUE(jwt) << jwt.error().ToString();
  EXPECT_EQ(jwt->claims, Claims());
  EXPECT_EQ(jwt->header, (nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}}));
}

TEST(Jwt, HeaderCarriesKidWhenGiven) {
  auto token = SignJwt(Claims(), TestKey(), "abc");
  ASSERT_TRUE(token);
  auto jwt = DecodeJwt(*token);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->header.at("kid"), "abc");
}

TEST(Jwt, DecodeSplitsSigningInputAndSignature) {
  const std::string token = Token();
  auto jwt = DecodeJwt(token);
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt->signature.size(), 256u);
}

TEST(Jwt, SignCompactJwsKeepsHeaderBytes) {
  const std::string header = R"({"typ":"JWT","alg":"RS256"})";
  auto token = SignCompactJws(header, R"({"exp":1})", TestKey());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->substr(0, token->find('.')), Base64UrlEncode(header));
  EXPECT_TRUE(VerifyJwt(*token, TestKey(), {.now = 0}));
}

TEST(Jwt, RejectsTamperedSignature) {
  std::string token = Token();
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  auto result = VerifyJwt(token, TestKey(), {.now = kNow});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(result.error().detail, "signature");
}

TEST(Jwt, RejectsTamperedPayload) {
  const std::string token = Token();
  nlohmann::json claims = Claims();
  claims["sub"] = "someone-else";
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string forged =
      token.substr(0, first + 1) + Base64UrlEncode(claims.dump()) + token.substr(second);
  auto result = VerifyJwt(forged, TestKey(), {.now = kNow});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().detail, "signature");
}

TEST(Jwt, RejectsSignatureFromAnotherKey) {
  auto result = VerifyJwt(Token(), OtherTestKey(), {.now = kNow});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST(Jwt, RejectsExpiredTokenAtAndAfterExp) {
  auto at_exp = VerifyJwt(Token(), TestKey(), {.now = kNow + 300});
  ASSERT_FALSE(at_exp);
  EXPECT_EQ(at_exp.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(at_exp.error().detail, "expired");
  EXPECT_TRUE(VerifyJwt(Token(), TestKey(), {.now = kNow + 299}));
  EXPECT_TRUE(VerifyJwt(Token(), TestKey(), {.now = kNow + 300, .leeway_seconds = 60}));
}

TEST(Jwt, RejectsTokenBeforeNbf) {
  auto early = VerifyJwt(Token(), TestKey(), {.now = kNow - 1});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(early.error().detail, "not yet valid");
  EXPECT_TRUE(VerifyJwt(Token(), TestKey(), {.now = kNow - 1, .leeway_seconds = 1}));
}

TEST(Jwt, RequiresExpUnlessDisabled) {
  const std::string token = Token({{"sub", "x"}});
  auto strict = VerifyJwt(token, TestKey(), {.now = kNow});
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(VerifyJwt(token, TestKey(), {.now = kNow, .require_exp = false}));
}

TEST(Jwt, RejectsNonNumericExp) {
  auto result = VerifyJwt(Token({{"exp", "soon"}}), TestKey(), {.now = kNow});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST(Jwt, RejectsOtherAlgorithmsIncludingNone) {
  const std::string token = Token();
  const std::string rest = token.substr(token.find('.'));
  for (const char* header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS256","typ":"JWT"})",
                             R"({"alg":"PS256"})", R"({"typ":"JWT"})"}) {
    auto result =
        VerifyJwt(Base64UrlEncode(std::string_view(header)) + rest, TestKey(), {.now = kNow});
    ASSERT_FALSE(result) << header;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << header;
  }
}

TEST(Jwt, DecodeRejectsMalformedTokensWithoutEchoingThem) {
  const std::string secretish = "c2VjcmV0LXRva2Vu";
  for (const std::string& token :
       {std::string(""), secretish, secretish + "." + secretish, Token() + ".x",
        std::string("e30.e30.***"), std::string("W10.e30.AA"), std::string("e30.bnVsbA.AA")}) {
    auto result = DecodeJwt(token);
    ASSERT_FALSE(result) << token;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().ToString().find(secretish), std::string::npos);
  }
}

TEST(Jwt, SignRejectsNonObjectClaims) { EXPECT_FALSE(SignJwt(nlohmann::json::array(), TestKey())); }

TEST(Jwt, SignRequiresPrivateKey) {
  auto pub = RsaKey::FromPem(TestKey().PublicPem());
  ASSERT_TRUE(pub);
  EXPECT_FALSE(SignJwt(Claims(), *pub));
}

}  // namespace
}  // namespace agentboot::jose

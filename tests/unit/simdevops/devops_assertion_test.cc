#include "devops_assertion.h"

#include <gtest/gtest.h>

namespace agentboot::sim::detail {
namespace {

constexpr const char* kClient = "6a0d7c1e-1111-4222-8333-444455556666";
constexpr const char* kUrl = "http://127.0.0.1:8080/sim/_apis/oauth2/token";
const TimePoint kNow = FromUnixSeconds(1'800'000'000);
const int64_t kNowS = 1'800'000'000;

const jose::RsaKey& AgentKey() {
  static const jose::RsaKey key = jose::RsaKey::Generate(2048).value();
  return key;
}
const jose::RsaKey& OtherKey() {
  static const jose::RsaKey key = jose::RsaKey::Generate(2048).value();
  return key;
}

nlohmann::json Claims(const std::string& jti = "jti-1") {
  return {{"iss", kClient}, {"sub", kClient}, {"aud", kUrl},
          {"jti", jti},     {"nbf", kNowS},   {"exp", kNowS + 300}};
}

std::string Sign(const nlohmann::json& claims, const jose::RsaKey& key = AgentKey()) {
  return jose::SignJwt(claims, key).value();
}

// The registered public key as the agent sends it: standard base64 modulus and exponent.
jose::RsaKey RegisteredKey(const jose::RsaKey& key) {
  jose::RsaComponents c = key.Components();
  return PublicKeyFromBase64(jose::Base64Encode(c.e), jose::Base64Encode(c.n)).value();
}

Status Verify(const std::string& assertion, JtiCache& jtis, TimePoint now = kNow) {
  return VerifyClientAssertion(assertion, RegisteredKey(AgentKey()), kClient, kUrl, now, jtis);
}

TEST(ClientAssertion, AcceptsTheAgentsAssertion) {
  JtiCache jtis;
  EXPECT_TRUE(Verify(Sign(Claims()), jtis));
  EXPECT_EQ(AssertionClientId(Sign(Claims())).value(), kClient);
}

TEST(ClientAssertion, RefusesAReusedJti) {
  JtiCache jtis;
  ASSERT_TRUE(Verify(Sign(Claims("same")), jtis));
  Status again = Verify(Sign(Claims("same")), jtis);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().detail.find("jti"), std::string::npos);
}

TEST(ClientAssertion, RefusesAnotherKey) {
  JtiCache jtis;
  Status refused = Verify(Sign(Claims(), OtherKey()), jtis);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
}

TEST(ClientAssertion, RefusesWrongIssuerSubjectOrAudience) {
  JtiCache jtis;
  nlohmann::json claims = Claims("a");
  claims["sub"] = "someone-else";
  EXPECT_FALSE(Verify(Sign(claims), jtis));
  claims = Claims("b");
  claims["aud"] = std::string(kUrl) + "/";  // byte-exact
  EXPECT_FALSE(Verify(Sign(claims), jtis));
  claims = Claims("c");
  claims["aud"] = nlohmann::json::array({kUrl});
  EXPECT_FALSE(Verify(Sign(claims), jtis));
}

TEST(ClientAssertion, RefusesLongLivedExpiredOrFutureAssertions) {
  JtiCache jtis;
  nlohmann::json claims = Claims("long");
  claims["exp"] = kNowS + 3600;
  EXPECT_FALSE(Verify(Sign(claims), jtis));
  EXPECT_FALSE(Verify(Sign(Claims("old")), jtis, kNow + std::chrono::seconds(400)));
  EXPECT_FALSE(Verify(Sign(Claims("future")), jtis, kNow - std::chrono::seconds(400)));
  claims = Claims("no-nbf");
  claims.erase("nbf");
  EXPECT_FALSE(Verify(Sign(claims), jtis));
}

TEST(ClientAssertion, ToleratesSmallClockSkew) {
  JtiCache jtis;
  EXPECT_TRUE(Verify(Sign(Claims("skew")), jtis, kNow - std::chrono::seconds(30)));
}

TEST(ClientAssertion, RefusedAssertionDoesNotBurnItsJti) {
  JtiCache jtis;
  ASSERT_FALSE(Verify(Sign(Claims("keep"), OtherKey()), jtis));
  EXPECT_TRUE(Verify(Sign(Claims("keep")), jtis));
}

TEST(JtiCache, ForgetsExpiredEntries) {
  JtiCache jtis;
  EXPECT_TRUE(jtis.Remember("x", 100, 50));
  EXPECT_FALSE(jtis.Remember("x", 100, 60));
  EXPECT_TRUE(jtis.Remember("x", 1000, 100 + kAssertionSkewSeconds + 1));
}

TEST(AssertionClientId, RejectsNonJwt) { EXPECT_FALSE(AssertionClientId("not-a-jwt")); }

TEST(PublicKeyFromBase64, RejectsGarbage) {
  EXPECT_FALSE(PublicKeyFromBase64("AQAB", "***"));
  EXPECT_FALSE(PublicKeyFromBase64("", ""));
}

}  // namespace
}  // namespace agentboot::sim::detail

// .credentials_rsaparams: .NET's fixed widths and the agent's strict, case-sensitive reader.

#include <gtest/gtest.h>

#include "agentboot/agent.h"

#include "test_key.h"

namespace agentboot::agent {
namespace {

using testing::TestKey;

RsaParams KeyParams() {
  auto params = RsaParamsFromKey(TestKey());
  EXPECT_TRUE(params);
  return params.value_or(RsaParams{});
}

std::string KeyFile() { return SerializeRsaParams(KeyParams()).Reveal(); }

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(PadBigEndian, AddsLeadingZerosToReachWidth) {
  auto padded = PadBigEndian({0x05, 0x06}, 4);
  ASSERT_TRUE(padded);
  EXPECT_EQ(*padded, (jose::Bytes{0x00, 0x00, 0x05, 0x06}));
}

TEST(PadBigEndian, KeepsExactWidthAndDropsRedundantZeros) {
  EXPECT_EQ(PadBigEndian({0x01, 0x02}, 2).value(), (jose::Bytes{0x01, 0x02}));
  EXPECT_EQ(PadBigEndian({0x00, 0x00, 0x01}, 2).value(), (jose::Bytes{0x00, 0x01}));
  EXPECT_EQ(PadBigEndian({}, 2).value(), (jose::Bytes{0x00, 0x00}));
}

TEST(PadBigEndian, RejectsValueWiderThanWidth) {
  auto too_wide = PadBigEndian({0x01, 0x00, 0x00}, 2);
  ASSERT_FALSE(too_wide);
  EXPECT_EQ(too_wide.error().code, ErrorCode::kInvalidArgument);
}

TEST(RsaParamsFromKey, PadsPrivateValuesToDotNetWidths) {
  const RsaParams params = KeyParams();
  EXPECT_EQ(params.modulus.size(), 256u);
  EXPECT_EQ(params.exponent, (jose::Bytes{0x01, 0x00, 0x01}));
  EXPECT_EQ(params.d.size(), 256u);
  for (const jose::Bytes* half :
       {&params.p, &params.q, &params.dp, &params.dq, &params.inverse_q}) {
    EXPECT_EQ(half->size(), 128u);
  }
  EXPECT_EQ(params.container_name, "");
  EXPECT_FALSE(params.use_cng);
}

TEST(RsaParamsFromKey, RejectsPublicKey) {
  auto pub = jose::RsaKey::FromPem(TestKey().PublicPem());
  ASSERT_TRUE(pub);
  EXPECT_FALSE(RsaParamsFromKey(*pub));
}

TEST(KeyFromRsaParams, RebuildsTheSameKey) {
  auto key = KeyFromRsaParams(KeyParams());
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->PublicDer(), TestKey().PublicDer());
  auto signature = key->SignSha256("data");
  ASSERT_TRUE(signature);
  EXPECT_TRUE(TestKey().VerifySha256("data", *signature));
}

TEST(ParseRsaParams, RoundTripsSerialisedParams) {
  auto parsed = ParseRsaParams(KeyFile());
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  const RsaParams expected = KeyParams();
  EXPECT_EQ(parsed->d, expected.d);
  EXPECT_EQ(parsed->inverse_q, expected.inverse_q);
  EXPECT_EQ(parsed->modulus, expected.modulus);
}

TEST(ParseRsaParams, AcceptsOlderFilesWithoutContainerNameAndUseCng) {
  const std::string file =
      Replace(Replace(KeyFile(), "\"ContainerName\": \"\",\n", ""), "\"UseCng\": false,\n", "");
  auto parsed = ParseRsaParams(file.substr(3));  // and without a BOM
  ASSERT_TRUE(parsed) << parsed.error().ToString();
}

TEST(ParseRsaParams, RejectsMissingKey) {
  const std::string file = KeyFile();
  const size_t start = file.find("  \"dq\"");
  const size_t end = file.find('\n', start);
  auto parsed = ParseRsaParams(file.substr(0, start) + file.substr(end + 1));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().detail.find("dq"), std::string::npos);
}

TEST(ParseRsaParams, RejectsWrongCaseKey) {
  auto parsed = ParseRsaParams(Replace(KeyFile(), "\"inverseQ\"", "\"InverseQ\""));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().detail.find("inverseQ"), std::string::npos);
  EXPECT_FALSE(ParseRsaParams(Replace(KeyFile(), "\"modulus\"", "\"Modulus\"")));
}

TEST(ParseRsaParams, RejectsUnpaddedShortD) {
  RsaParams params = KeyParams();
  params.d.erase(params.d.begin());  // 255 bytes: .NET's ImportParameters would throw
  auto parsed = ParseRsaParams(SerializeRsaParams(params).Reveal());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().detail.find("d is 255 bytes, expected 256"), std::string::npos);
  params = KeyParams();
  params.dp.erase(params.dp.begin());
  EXPECT_FALSE(ParseRsaParams(SerializeRsaParams(params).Reveal()));
}

TEST(ParseRsaParams, Rejects1024BitKey) {
  RsaParams params;
  params.modulus = jose::Bytes(128, 0xC5);
  params.exponent = {0x01, 0x00, 0x01};
  params.d = jose::Bytes(128, 0x11);
  params.p = params.q = params.dp = params.dq = params.inverse_q = jose::Bytes(64, 0x22);
  auto parsed = ParseRsaParams(SerializeRsaParams(params).Reveal());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().detail.find("1024 bits"), std::string::npos);
  EXPECT_FALSE(KeyFromRsaParams(params));
}

TEST(ParseRsaParams, RejectsBadBase64AndWrongTypes) {
  EXPECT_FALSE(
      ParseRsaParams(Replace(KeyFile(), "\"exponent\": \"AQAB\"", "\"exponent\": \"A-B\"")));
  EXPECT_FALSE(ParseRsaParams(Replace(KeyFile(), "\"exponent\": \"AQAB\"", "\"exponent\": 65537")));
  EXPECT_FALSE(ParseRsaParams(Replace(KeyFile(), "\"UseCng\": false", "\"UseCng\": \"no\"")));
}

TEST(ParseRsaParams, ErrorsNeverContainKeyMaterial) {
  RsaParams params = KeyParams();
  const std::string d = jose::Base64Encode(params.d);
  params.d.pop_back();
  auto parsed = ParseRsaParams(SerializeRsaParams(params).Reveal());
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().ToString().find(d.substr(0, 16)), std::string::npos);
}

TEST(KeyFromRsaParams, RejectsMismatchedPrivateKey) {
  RsaParams params = KeyParams();
  params.d.back() ^= 0x01;
  auto key = KeyFromRsaParams(params);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace agentboot::agent

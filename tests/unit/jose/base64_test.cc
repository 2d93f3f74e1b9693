#include <gtest/gtest.h>

#include "agentboot/jose.h"

namespace agentboot::jose {
namespace {

struct Vector {
  const char* plain;
  const char* encoded;
};

// RFC 4648 §10 test vectors.
constexpr Vector kRfc4648[] = {{"", ""},
                               {"f", "Zg=="},
                               {"fo", "Zm8="},
                               {"foo", "Zm9v"},
                               {"foob", "Zm9vYg=="},
                               {"fooba", "Zm9vYmE="},
                               {"foobar", "Zm9vYmFy"}};

TEST(Base64, EncodesRfc4648Vectors) {
  for (const auto& v : kRfc4648) EXPECT_EQ(Base64Encode(std::string_view(v.plain)), v.encoded);
}

TEST(Base64, DecodesRfc4648VectorsWithAndWithoutPadding) {
  for (const auto& v : kRfc4648) {
    auto padded = Base64Decode(v.encoded);
    ASSERT_TRUE(padded) << v.encoded;
    EXPECT_EQ(*padded, v.plain);
    std::string unpadded(v.encoded);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    auto bare = Base64Decode(unpadded);
    ASSERT_TRUE(bare) << unpadded;
    EXPECT_EQ(*bare, v.plain);
  }
}

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(std::string_view("f")), "Zg");
  EXPECT_EQ(Base64UrlEncode(std::string_view("fo")), "Zm8");
  EXPECT_EQ(Base64UrlEncode(std::string_view("foobar")), "Zm9vYmFy");
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  const Bytes bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  auto decoded = Base64UrlDecode("-_-_");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, std::string("\xfb\xff\xbf"));
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    const std::string slice = all.substr(0, len);
    EXPECT_EQ(Base64Decode(Base64Encode(slice)).value(), slice);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(slice)).value(), slice);
  }
}

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  auto url_in_std = Base64Decode("-_-_");
  ASSERT_FALSE(url_in_std);
  EXPECT_EQ(url_in_std.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(Base64UrlDecode("+/+/"));
  EXPECT_FALSE(Base64Decode("Zm9v\n"));
  EXPECT_FALSE(Base64Decode("Zm 9v"));
}

TEST(Base64, RejectsMisplacedOrExcessPadding) {
  EXPECT_FALSE(Base64Decode("Zg="));    // incomplete quantum
  EXPECT_FALSE(Base64Decode("Zg==="));  // three '='
  EXPECT_FALSE(Base64Decode("Z=g="));   // '=' inside
  EXPECT_FALSE(Base64Decode("Zm9vY"));  // one dangling character
}

TEST(Sha256, MatchesKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("").size(), 32u);
}

}  // namespace
}  // namespace agentboot::jose

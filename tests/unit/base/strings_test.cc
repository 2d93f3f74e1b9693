#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/base_testing.h"

namespace agentboot {
namespace {

TEST(Strings, TrimRemovesSurroundingWhitespaceOnly) {
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(Trim("\t\n"), "");
}

TEST(Strings, SplitKeepsEmptyParts) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Strings, UrlEncodeRoundTrips) {
  const std::string text = "499b84ac/.default a+b=c&d";
  EXPECT_EQ(UrlEncode(text), "499b84ac%2F.default%20a%2Bb%3Dc%26d");
  EXPECT_EQ(UrlDecode(UrlEncode(text)), text);
  EXPECT_EQ(UrlDecode("a+b%2"), "a b%2");
}

TEST(Strings, ParseInt64RejectsTrailingGarbage) {
  EXPECT_EQ(ParseInt64("86399"), 86399);
  EXPECT_FALSE(ParseInt64("86399s"));
  EXPECT_FALSE(ParseInt64(""));
}

TEST(Strings, JoinUrlPutsExactlyOneSlash) {
  EXPECT_EQ(JoinUrl("https://login.example/", "/tenant/oauth2"),
            "https://login.example/tenant/oauth2");
  EXPECT_EQ(JoinUrl("http://h", "x"), "http://h/x");
}

TEST(Strings, JoinPathPutsExactlyOneSlash) {
  EXPECT_EQ(JoinPath("/srv/agent", "_diag"), "/srv/agent/_diag");
  EXPECT_EQ(JoinPath("/srv/agent/", "_diag"), "/srv/agent/_diag");
  EXPECT_EQ(JoinPath("/srv/agent//", "/_diag"), "/srv/agent/_diag");
  EXPECT_EQ(JoinPath("/", "etc"), "/etc");
  EXPECT_EQ(JoinPath("", "bin/Agent.Listener"), "bin/Agent.Listener");
  EXPECT_EQ(JoinPath(".", "x"), "./x");
}

TEST(Strings, NewGuidIsVersion4) {
  testing::SeededRandom random(7);
  const std::string guid = NewGuid(random);
  ASSERT_EQ(guid.size(), 36U);
  EXPECT_EQ(guid[14], '4');
  EXPECT_NE(NewGuid(random), guid);
}

TEST(Errors, SecretNeverPrints) {
  std::ostringstream out;
  out << Secret("eyJhbGciOi");
  EXPECT_EQ(out.str(), "***");
}

TEST(Errors, ToStringJoinsContextDetailAdvice) {
  const Error e = MakeError(ErrorCode::kNotFound, "GET pools", "no pool 'x'", "Create it.");
  EXPECT_EQ(e.ToString(), "GET pools: no pool 'x' — Create it.");
  EXPECT_FALSE(e.retryable);
  EXPECT_TRUE(MakeError(ErrorCode::kUnavailable, "", "").retryable);
}

TEST(Time, FormatsUtc) { EXPECT_EQ(FormatUtc(FromUnixSeconds(0)), "1970-01-01T00:00:00Z"); }

}  // namespace
}  // namespace agentboot

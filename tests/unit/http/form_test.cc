#include <gtest/gtest.h>

#include "agentboot/http.h"

namespace agentboot::http {
namespace {

TEST(FormEncode, EscapesReservedCharacters) {
  EXPECT_EQ(FormEncode({{"grant_type", "client_credentials"}, {"scope", "x/.default y&z=1"}}),
            "grant_type=client_credentials&scope=x%2F.default%20y%26z%3D1");
}

TEST(FormEncode, RoundTripsThroughParseForm) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"client_assertion", "eyJ.a+b/c=="}, {"empty", ""}, {"ü key", "100% & more\n"}};
  EXPECT_EQ(ParseForm(FormEncode(fields)), fields);
}

TEST(ParseForm, DecodesPlusAsSpaceAndSkipsEmptyParts) {
  const auto fields = ParseForm("a=1&&b=x+y&flag");
  ASSERT_EQ(fields.size(), 3U);
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"b", "x y"}));
  EXPECT_EQ(fields[2], (std::pair<std::string, std::string>{"flag", ""}));
}

}  // namespace
}  // namespace agentboot::http

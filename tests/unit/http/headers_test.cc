#include <gtest/gtest.h>

#include "agentboot/http.h"

namespace agentboot::http {
namespace {

TEST(FindHeader, IgnoresCaseAndReturnsFirstMatch) {
  const Headers headers = {{"content-TYPE", "text/plain"}, {"Content-Type", "application/json"}};
  EXPECT_EQ(FindHeader(headers, "Content-Type"), "text/plain");
  EXPECT_EQ(FindHeader(headers, "x-missing"), std::nullopt);
}

Response WithType(std::string type) {
  Response response;
  response.status = 200;
  response.headers = {{"Content-Type", std::move(type)}};
  return response;
}

TEST(ResponseIsJson, AcceptsJsonWithParameters) {
  EXPECT_TRUE(WithType("application/json; charset=utf-8").IsJson());
  EXPECT_TRUE(WithType("Application/JSON").IsJson());
  EXPECT_TRUE(WithType("application/json; api-version=7.1").IsJson());
}

TEST(ResponseIsJson, AcceptsPlusJsonTypes) {
  EXPECT_TRUE(WithType("application/problem+json").IsJson());
}

TEST(ResponseIsJson, RejectsHtmlAndMissingType) {
  EXPECT_FALSE(WithType("text/html; charset=utf-8").IsJson());
  EXPECT_FALSE(WithType("text/json-ish").IsJson());
  EXPECT_FALSE(Response{}.IsJson());
}

}  // namespace
}  // namespace agentboot::http

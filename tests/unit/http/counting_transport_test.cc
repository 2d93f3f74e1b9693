#include <gtest/gtest.h>

#include "agentboot/http.h"
#include "agentboot/http_testing.h"

namespace agentboot::http {
namespace {

TEST(CountingTransport, CountsEveryExchangeIncludingFailures) {
  testing::ScriptedTransport scripted;
  scripted.Json(200, "{}").FailWith(ErrorCode::kUnavailable);
  CountingTransport counting(scripted);
  Request request;
  request.url = "https://example.test/a";

  const auto first = counting.Send(request);
  const auto second = counting.Send(request);

  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(counting.count(), 2);
  EXPECT_EQ(scripted.requests().at(0).url, "https://example.test/a");
}

}  // namespace
}  // namespace agentboot::http

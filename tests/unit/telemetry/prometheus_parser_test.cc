#include "prometheus_parser.h"

#include <gtest/gtest.h>

namespace agentboot::testing {
namespace {

TEST(PrometheusParser, AcceptsWellFormedExposition) {
  auto parsed = ParsePrometheusText(
      "# HELP a_total Things.\n# TYPE a_total counter\na_total{k=\"v\",l=\"w\"} 3 1700000000\n"
      "# a plain comment\n\nb +Inf\n");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].type, "counter");
  EXPECT_EQ((*parsed)[1].type, "untyped");
  EXPECT_EQ(FindSample(*parsed, "a_total", {{"k", "v"}, {"l", "w"}})->value, 3);
}

TEST(PrometheusParser, RejectsViolations) {
  const char* bad[] = {
      "a 1",                                    // no final newline
      "a 1\n# TYPE a gauge\n",                  // TYPE after samples
      "# TYPE a gauge\n# TYPE a gauge\na 1\n",  // second TYPE
      "# TYPE a counter\na 1\n",                // counter without _total
      "a 1\nb 1\na 2\n",                        // split family
      "a{k=\"v\"} 1\na{k=\"v\"} 2\n",           // duplicate series
      "1a 1\n",                                 // bad metric name
      "a{__k=\"v\"} 1\n",                       // reserved label name
      "a{k=v} 1\n",                             // unquoted value
      "a{k=\"\\t\"} 1\n",                       // bad escape
      "a{k=\"v\",k=\"w\"} 1\n",                 // duplicate label
      "a one\n",                                // bad value
      "# TYPE a_total counter\na_total -1\n",   // negative counter
  };
  for (const char* text : bad) EXPECT_FALSE(ParsePrometheusText(text)) << text;
}

}  // namespace
}  // namespace agentboot::testing

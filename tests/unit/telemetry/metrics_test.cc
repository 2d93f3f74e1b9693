#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "agentboot/telemetry.h"

#include "prometheus_parser.h"

namespace agentboot::telemetry {
namespace {

using agentboot::testing::FindSample;
using agentboot::testing::ParsePrometheusText;

TEST(Metrics, RendersGoldenTextSortedByFamilyAndLabels) {
  Metrics metrics;
  metrics.Describe("agentboot_jobs_total", MetricType::kCounter, "Jobs by result.");
  metrics.Describe("agentboot_drain_duration_seconds", MetricType::kGauge, "Last drain.");
  metrics.Increment("agentboot_jobs_total", {{"result", "succeeded"}});
  metrics.Increment("agentboot_jobs_total", {{"result", "failed"}}, 2);
  metrics.Increment("agentboot_jobs_total", {{"result", "succeeded"}});
  metrics.Set("agentboot_drain_duration_seconds", 12.5);

  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP agentboot_drain_duration_seconds Last drain.\n"
            "# TYPE agentboot_drain_duration_seconds gauge\n"
            "agentboot_drain_duration_seconds 12.5\n"
            "# HELP agentboot_jobs_total Jobs by result.\n"
            "# TYPE agentboot_jobs_total counter\n"
            "agentboot_jobs_total{result=\"failed\"} 2\n"
            "agentboot_jobs_total{result=\"succeeded\"} 2\n");
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Metrics metrics;
  metrics.Describe("x_total", MetricType::kCounter, "back\\slash \"quoted\"\nnext");
  metrics.Increment("x_total", {{"path", "C:\\dir \"a\"\nb"}});

  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP x_total back\\\\slash \"quoted\"\\nnext\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"C:\\\\dir \\\"a\\\"\\nb\"} 1\n");
  auto parsed = ParsePrometheusText(metrics.RenderPrometheus());
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_NE(FindSample(*parsed, "x_total", {{"path", "C:\\dir \"a\"\nb"}}), nullptr);
  EXPECT_EQ((*parsed)[0].help, "back\\slash \"quoted\"\nnext");
}

TEST(Metrics, RendersSpecialValuesAndLeavesOutEmptyFamilies) {
  Metrics metrics;
  metrics.Describe("described_only", MetricType::kGauge, "Never set.");
  metrics.Set("g_inf", std::numeric_limits<double>::infinity());
  metrics.Set("g_neg_inf", -std::numeric_limits<double>::infinity());
  metrics.Set("g_nan", std::numeric_limits<double>::quiet_NaN());
  metrics.Set("g_big", 1.5e300);

  const std::string text = metrics.RenderPrometheus();
  EXPECT_EQ(text.find("described_only"), std::string::npos);
  EXPECT_NE(text.find("g_inf +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("g_neg_inf -Inf\n"), std::string::npos);
  EXPECT_NE(text.find("g_nan NaN\n"), std::string::npos);
  auto parsed = ParsePrometheusText(text);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_TRUE(std::isnan(FindSample(*parsed, "g_nan")->value));
  EXPECT_DOUBLE_EQ(FindSample(*parsed, "g_big")->value, 1.5e300);
}

TEST(Metrics, CounterIgnoresNegativeStepsAndValueReadsBack) {
  Metrics metrics;
  metrics.Increment("c_total", {}, 3);
  metrics.Increment("c_total", {}, -1);
  EXPECT_EQ(metrics.Value("c_total"), 3.0);
  EXPECT_EQ(metrics.Value("c_total", {{"a", "b"}}), std::nullopt);
  EXPECT_EQ(metrics.Value("missing"), std::nullopt);
}

TEST(Metrics, SetOneOfMarksOnlyTheCurrentState) {
  Metrics metrics;
  DescribeAgentbootMetrics(metrics);
  metrics.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, "running");
  metrics.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, "draining");
  EXPECT_EQ(metrics.Value(metric::kListenerState, {{"state", "draining"}}), 1.0);
  EXPECT_EQ(metrics.Value(metric::kListenerState, {{"state", "running"}}), 0.0);
  EXPECT_EQ(metrics.Value(metric::kListenerState, {{"state", "stopped"}}), 0.0);
}

TEST(Metrics, AgentbootMetricsParseStrictlyAndFollowNamingConventions) {
  Metrics metrics;
  DescribeAgentbootMetrics(metrics);
  metrics.Set(metric::kUp, 1);
  metrics.SetOneOf(metric::kListenerState, "state", metric::kListenerStates, "running");
  metrics.Increment(metric::kListenerRestarts);
  metrics.Increment(metric::kJobs, {{"result", "succeeded"}});
  metrics.Set(metric::kDrainDuration, 3.25);
  metrics.Set(metric::kTokenExpiry, 1'800'003'600);
  metrics.Increment(metric::kIdentityFailures, {}, 0);
  metrics.Set(metric::kRegistrationTime, 1'799'000'000);
  metrics.Set(metric::kLastServerContact, 1'800'000'000);

  auto parsed = ParsePrometheusText(metrics.RenderPrometheus());
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(parsed->size(), 9u);
  for (const auto& family : *parsed) {
    EXPECT_TRUE(StartsWith(family.name, "agentboot_")) << family.name;
    EXPECT_FALSE(family.help.empty()) << family.name;
    EXPECT_EQ(family.type == "counter", EndsWith(family.name, "_total")) << family.name;
  }
  EXPECT_EQ(FindSample(*parsed, "agentboot_token_expiry_timestamp_seconds")->value, 1'800'003'600);
}

}  // namespace
}  // namespace agentboot::telemetry

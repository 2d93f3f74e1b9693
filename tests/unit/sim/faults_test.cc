#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace agentboot::sim::detail {
namespace {

using testing::Get;

TEST(Faults, ScriptedStatusesAreConsumedInOrderThenPassThrough) {
  auto context = testing::MakeContext();
  Fault fault;
  fault.path_prefix = "/metadata/identity";
  fault.statuses = {429, 0, 503};
  fault.headers = {{"Retry-After", "2"}};
  context->AddFault(fault);
  const HttpRequest request = Get("/metadata/identity/oauth2/token");

  auto first = context->TakeFault(request);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429);
  bool has_retry_after = false;
  for (const auto& [name, value] : first->headers) has_retry_after |= name == "Retry-After";
  EXPECT_TRUE(has_retry_after);
  EXPECT_FALSE(context->TakeFault(request));  // 0: pass through
  auto third = context->TakeFault(request);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  EXPECT_FALSE(context->TakeFault(request));  // queue spent
}

TEST(Faults, OnlyMatchingMethodAndPrefixAreFaulted) {
  auto context = testing::MakeContext();
  Fault fault;
  fault.method = "POST";
  fault.path_prefix = "/a";
  fault.statuses = {500};
  context->AddFault(fault);
  EXPECT_FALSE(context->TakeFault(Get("/a/b")));  // GET
  HttpRequest post = Get("/b");
  post.method = "POST";
  EXPECT_FALSE(context->TakeFault(post));  // other prefix
  post.path = "/a/b";
  EXPECT_TRUE(context->TakeFault(post));
}

TEST(Faults, OutageAnswersEveryRequestUntilTheWindowEnds) {
  auto context = testing::MakeContext();
  Fault fault;
  fault.path_prefix = "/";
  fault.outage_from = context->Now();
  fault.outage_until = context->Now() + std::chrono::seconds(70);
  fault.outage_status = 410;
  context->AddFault(fault);
  for (int i = 0; i < 3; ++i) {
    auto answer = context->TakeFault(Get("/metadata/identity/oauth2/token"));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 410);
  }
  context->AdvanceClock(std::chrono::seconds(71));
  EXPECT_FALSE(context->TakeFault(Get("/metadata/identity/oauth2/token")));
}

TEST(Faults, LatencyIsReportedForPassThroughAnswers) {
  auto context = testing::MakeContext();
  Fault fault;
  fault.path_prefix = "/slow";
  fault.latency = Duration(1500);
  context->AddFault(fault);
  const FaultOutcome outcome = context->ApplyFaults(Get("/slow/x"));
  EXPECT_EQ(outcome.latency, Duration(1500));
  EXPECT_FALSE(outcome.response);
}

TEST(Faults, ClearRemovesAllFaults) {
  auto context = testing::MakeContext();
  Fault fault;
  fault.path_prefix = "/";
  fault.statuses = {500, 500};
  context->AddFault(fault);
  context->ClearFaults();
  EXPECT_FALSE(context->TakeFault(Get("/x")));
}

}  // namespace
}  // namespace agentboot::sim::detail

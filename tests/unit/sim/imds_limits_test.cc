#include "imds_limits.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace agentboot::sim::detail {
namespace {

const TimePoint kT0 = FromUnixSeconds(1'800'000'000);
using std::chrono::milliseconds;

TEST(ImdsLimits, OffByDefault) {
  ImdsLimits limits;
  std::vector<std::unique_ptr<ImdsLimits::Admission>> held;
  for (int i = 0; i < 100; ++i) {
    held.push_back(limits.Enter(ImdsCategory::kIdentity, kT0));
    ASSERT_NE(held.back(), nullptr);
  }
  EXPECT_EQ(limits.counters(ImdsCategory::kIdentity).admitted, 100);
  EXPECT_EQ(limits.counters(ImdsCategory::kIdentity).peak_in_flight, 100);
}

TEST(ImdsLimits, IdentityTakesTwentyASecondThenRefuses) {
  ImdsLimits limits;
  limits.Configure({.enabled = true});
  for (int i = 0; i < 20; ++i) {
    ASSERT_NE(limits.Enter(ImdsCategory::kIdentity, kT0 + milliseconds(i)), nullptr) << i;
  }
  EXPECT_EQ(limits.Enter(ImdsCategory::kIdentity, kT0 + milliseconds(999)), nullptr);
  // A second after the first admission, its slot is free again.
  EXPECT_NE(limits.Enter(ImdsCategory::kIdentity, kT0 + milliseconds(1000)), nullptr);
  const ImdsLimits::Counters counters = limits.counters(ImdsCategory::kIdentity);
  EXPECT_EQ(counters.admitted, 21);
  EXPECT_EQ(counters.refused_rate, 1);
}

TEST(ImdsLimits, IdentityServesFiveAtATime) {
  ImdsLimits limits;
  limits.Configure({.enabled = true});
  std::vector<std::unique_ptr<ImdsLimits::Admission>> held;
  for (int i = 0; i < 5; ++i) held.push_back(limits.Enter(ImdsCategory::kIdentity, kT0));
  EXPECT_EQ(limits.Enter(ImdsCategory::kIdentity, kT0), nullptr);
  held.pop_back();  // one answer sent
  EXPECT_NE(limits.Enter(ImdsCategory::kIdentity, kT0), nullptr);
  EXPECT_EQ(limits.counters(ImdsCategory::kIdentity).refused_concurrency, 1);
  EXPECT_EQ(limits.counters(ImdsCategory::kIdentity).peak_in_flight, 5);
}

TEST(ImdsLimits, OtherCategoriesTakeFiveASecondApartFromIdentity) {
  ImdsLimits limits;
  limits.Configure({.enabled = true});
  for (int i = 0; i < 5; ++i) ASSERT_NE(limits.Enter(ImdsCategory::kOther, kT0), nullptr);
  EXPECT_EQ(limits.Enter(ImdsCategory::kOther, kT0), nullptr);
  EXPECT_NE(limits.Enter(ImdsCategory::kIdentity, kT0), nullptr);
  EXPECT_EQ(limits.counters(ImdsCategory::kOther).refused_rate, 1);
}

TEST(ImdsLimits, ReconfiguringKeepsRequestsInFlightAndResetsCounters) {
  ImdsLimits limits;
  auto held = limits.Enter(ImdsCategory::kIdentity, kT0);
  limits.Configure({.enabled = true, .identity_concurrent = 1});
  EXPECT_EQ(limits.Enter(ImdsCategory::kIdentity, kT0), nullptr);  // the held one still counts
  held.reset();
  EXPECT_NE(limits.Enter(ImdsCategory::kIdentity, kT0), nullptr);
  EXPECT_EQ(limits.counters(ImdsCategory::kIdentity).admitted, 1);
}

}  // namespace
}  // namespace agentboot::sim::detail

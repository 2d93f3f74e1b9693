// StopSignals: a repeated stop signal within the window is the same request (issue 15 item 7:
// GNU timeout delivers SIGTERM twice); time comes from a FakeClock, no sleeps.

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/supervisor.h"

namespace agentboot::supervisor {
namespace {

using Meaning = StopSignals::Meaning;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeClock;

TEST(StopSignals, TheFirstSignalIsTheFirstRequest) {
  FakeClock fake_clock;
  StopSignals signals(fake_clock);
  EXPECT_EQ(signals.Receive(), Meaning::kFirst);
  EXPECT_EQ(signals.requests(), 1);
}

TEST(StopSignals, ARepeatWithinTheWindowIsTheSameRequest) {
  FakeClock fake_clock;
  StopSignals signals(fake_clock);
  ASSERT_EQ(signals.Receive(), Meaning::kFirst);
  fake_clock.Advance(milliseconds(100));  // timeout(1): the child, then its process group
  EXPECT_EQ(signals.Receive(), Meaning::kRepeat);
  fake_clock.Advance(milliseconds(1800));
  EXPECT_EQ(signals.Receive(), Meaning::kRepeat);
  EXPECT_EQ(signals.requests(), 1);
}

TEST(StopSignals, ASignalAfterTheWindowEscalates) {
  FakeClock fake_clock;
  StopSignals signals(fake_clock);
  ASSERT_EQ(signals.Receive(), Meaning::kFirst);
  fake_clock.Advance(seconds(2));  // the window is half-open: exactly 2 s later is a new request
  EXPECT_EQ(signals.Receive(), Meaning::kSecond);
  fake_clock.Advance(milliseconds(500));
  EXPECT_EQ(signals.Receive(), Meaning::kRepeat);  // the window restarts at each request
  fake_clock.Advance(seconds(3));
  EXPECT_EQ(signals.Receive(), Meaning::kLater);
  EXPECT_EQ(signals.requests(), 3);
}

TEST(StopSignals, RepeatsDoNotSlideTheWindow) {
  FakeClock fake_clock;
  StopSignals signals(fake_clock);
  ASSERT_EQ(signals.Receive(), Meaning::kFirst);
  // Signals every second: each is within 2 s of the last one, but not of the first request.
  fake_clock.Advance(seconds(1));
  EXPECT_EQ(signals.Receive(), Meaning::kRepeat);
  fake_clock.Advance(seconds(1));
  EXPECT_EQ(signals.Receive(), Meaning::kSecond);
}

TEST(StopSignals, TheWindowIsAParameter) {
  FakeClock fake_clock;
  StopSignals signals(fake_clock, Duration::zero());
  EXPECT_EQ(signals.Receive(), Meaning::kFirst);
  EXPECT_EQ(signals.Receive(), Meaning::kSecond);  // no window: every signal counts
  EXPECT_EQ(StopSignalMeaningName(Meaning::kRepeat), "repeat");
}

}  // namespace
}  // namespace agentboot::supervisor

// Text checks for names and capabilities (security review L2, L9) and the stop token that lets
// a stop signal end `run`'s preparation (M8).
#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/base_testing.h"

#include <signal.h>

namespace agentboot {
namespace {

TEST(TextProblem, AcceptsPrintableUtf8) {
  for (const char* text : {"", "agent-1", "agént-日本-🚀", "a b", "x=y", "\xc2\xa0nbsp"}) {
    EXPECT_EQ(TextProblem(text), "") << text;
  }
}

TEST(TextProblem, RejectsInvalidUtf8WithThePosition) {
  EXPECT_EQ(TextProblem("\xff\xfe-bad-utf8"), "byte 1 (0xff) is not valid UTF-8");
  EXPECT_EQ(TextProblem("ok\xc3"), "byte 3 (0xc3) is not valid UTF-8");  // truncated
  for (const char* text : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                           "\xf8\x88\x80\x80\x80", "\x80"}) {
    EXPECT_NE(TextProblem(text).find("not valid UTF-8"), std::string::npos) << text;
  }
}

TEST(TextProblem, RejectsControlCharactersNewlineAndEscape) {
  EXPECT_EQ(TextProblem("gpu=a100\nagentboot.placeholder=true"),
            "byte 9 is a control character (0x0a, a line break)");
  EXPECT_EQ(TextProblem("name\x1b[31m"), "byte 5 is a control character (0x1b, an escape)");
  for (const char* text : {"\t", "a\rb", "bell\x07", "del\x7f", "c1\xc2\x85"}) {
    EXPECT_NE(TextProblem(text).find("control character"), std::string::npos) << text;
  }
}

TEST(StopToken, DisarmedNeverStopsAndSleepsInOnePiece) {
  testing::FakeClock clock;
  StopToken token;
  EXPECT_FALSE(token.Requested());
  EXPECT_TRUE(SleepUnlessStopped(clock, std::chrono::seconds(5), token));
  EXPECT_EQ(clock.sleeps(), std::vector<Duration>{std::chrono::seconds(5)});
}

TEST(StopToken, ArmedSleepEndsWithinASliceOfTheStop) {
  testing::FakeClock clock;
  StopToken token;
  const TimePoint start = clock.Now();
  std::optional<int> signal;
  token.Arm([&] { return signal; });
  clock.OnSleep([&](TimePoint now) {
    if (now - start >= std::chrono::seconds(2)) signal = SIGTERM;
  });
  EXPECT_FALSE(SleepUnlessStopped(clock, std::chrono::hours(24), token));
  EXPECT_LE(clock.Now() - start, std::chrono::milliseconds(2100));
  EXPECT_EQ(token.Requested(), SIGTERM);
  signal.reset();
  EXPECT_EQ(token.Requested(), SIGTERM);  // sticky until disarmed
  token.Disarm();
  EXPECT_FALSE(token.Requested());
}

TEST(StopToken, PendingBlockedSignalIsSeenButNotConsumed) {
  sigset_t hup;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  sigset_t previous;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &hup, &previous), 0);
  EXPECT_EQ(PendingStopSignal(), std::nullopt);
  ASSERT_EQ(raise(SIGHUP), 0);
  EXPECT_EQ(PendingStopSignal(), SIGHUP);
  EXPECT_EQ(PendingStopSignal(), SIGHUP);  // still pending: the supervisor would read it
  const timespec now{0, 0};
  EXPECT_EQ(sigtimedwait(&hup, nullptr, &now), SIGHUP);
  EXPECT_EQ(PendingStopSignal(), std::nullopt);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

TEST(StoppedError, NamesTheSignalAndIsNotRetryable) {
  const Error error = StoppedError("identity/imds", SIGTERM);
  EXPECT_EQ(error.detail, "stopped by SIGTERM before the listener started");
  EXPECT_FALSE(error.retryable);
}

}  // namespace
}  // namespace agentboot

#include "rfc1123_date.h"

#include <gtest/gtest.h>

namespace agentboot::imds::detail {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

TimePoint At(std::chrono::year_month_day date, std::chrono::seconds time_of_day) {
  return TimePoint(sys_days(date)) + time_of_day;
}

TEST(Rfc1123Date, ParsesTheContractExample) {
  EXPECT_EQ(ParseRfc1123("Mon, 11 Apr 2026 22:26:58 GMT"),
            At(std::chrono::year(2026) / 4 / 11, 22h + 26min + 58s));
}

TEST(Rfc1123Date, IgnoresAWeekdayThatDoesNotMatchTheDate) {
  // 11 Apr 2026 is a Saturday; the contract's example says Mon, so the weekday cannot matter.
  EXPECT_EQ(ParseRfc1123("Sat, 11 Apr 2026 22:26:58 GMT"),
            ParseRfc1123("Mon, 11 Apr 2026 22:26:58 GMT"));
}

TEST(Rfc1123Date, AcceptsSingleDigitDaysAndAnyCase) {
  EXPECT_EQ(ParseRfc1123("tue, 1 DEC 2026 00:00:00 GMT"), At(std::chrono::year(2026) / 12 / 1, 0s));
}

TEST(Rfc1123Date, RejectsOtherShapes) {
  EXPECT_FALSE(ParseRfc1123(""));
  EXPECT_FALSE(ParseRfc1123("2026-04-11T22:26:58Z"));
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Apr 2026 22:26:58"));        // no zone
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Apr 2026 22:26:58 +0200"));  // not GMT
  EXPECT_FALSE(ParseRfc1123("Monday, 11-Apr-26 22:26:58 GMT"));   // RFC 850
  EXPECT_FALSE(ParseRfc1123("Mon, 31 Feb 2026 22:26:58 GMT"));    // no such day
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Foo 2026 22:26:58 GMT"));    // no such month
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Apr 2026 24:00:00 GMT"));    // hour out of range
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Apr 2026 22:26 GMT"));       // no seconds
  EXPECT_FALSE(ParseRfc1123("Xyz, 11 Apr 2026 22:26:58 GMT"));    // no such weekday
  EXPECT_FALSE(ParseRfc1123("Mon, 11 Apr -2026 22:26:58 GMT"));   // signed year
}

}  // namespace
}  // namespace agentboot::imds::detail

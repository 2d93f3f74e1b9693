#include <gtest/gtest.h>

#include "agentboot/http.h"

namespace agentboot::http {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

TimePoint At(std::chrono::year_month_day date, std::chrono::seconds time_of_day) {
  return TimePoint(sys_days(date)) + time_of_day;
}

// IMDS's NotBefore (identity-contract §7.2) is an IMF-fixdate.
TEST(HttpDate, ParsesTheContractExample) {
  EXPECT_EQ(ParseHttpDate("Mon, 11 Apr 2026 22:26:58 GMT"),
            At(std::chrono::year(2026) / 4 / 11, 22h + 26min + 58s));
}

TEST(HttpDate, IgnoresAWeekdayThatDoesNotMatchTheDate) {
  // 11 Apr 2026 is a Saturday; the contract's example says Mon, so the weekday cannot matter.
  EXPECT_EQ(ParseHttpDate("Sat, 11 Apr 2026 22:26:58 GMT"),
            ParseHttpDate("Mon, 11 Apr 2026 22:26:58 GMT"));
}

TEST(HttpDate, AcceptsSingleDigitDaysAndAnyCase) {
  EXPECT_EQ(ParseHttpDate("tue, 1 DEC 2026 00:00:00 GMT"),
            At(std::chrono::year(2026) / 12 / 1, 0s));
}

TEST(HttpDate, AcceptsTheObsoleteFormsHttpAllows) {
  const auto expected = At(std::chrono::year(2026) / 4 / 11, 22h + 26min + 58s);
  EXPECT_EQ(ParseHttpDate("Saturday, 11-Apr-26 22:26:58 GMT"), expected);  // RFC 850
  EXPECT_EQ(ParseHttpDate("Sat Apr 11 22:26:58 2026"), expected);          // asctime
}

TEST(HttpDate, RejectsOtherShapes) {
  EXPECT_FALSE(ParseHttpDate(""));
  EXPECT_FALSE(ParseHttpDate("2026-04-11T22:26:58Z"));
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Apr 2026 22:26:58"));        // no zone
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Apr 2026 22:26:58 +0200"));  // not GMT
  EXPECT_FALSE(ParseHttpDate("Mon, 31 Feb 2026 22:26:58 GMT"));    // no such day
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Foo 2026 22:26:58 GMT"));    // no such month
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Apr 2026 24:00:00 GMT"));    // hour out of range
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Apr 2026 22:26 GMT"));       // no seconds
  EXPECT_FALSE(ParseHttpDate("Mon, 11 Apr -2026 22:26:58 GMT"));   // signed year
}

}  // namespace
}  // namespace agentboot::http

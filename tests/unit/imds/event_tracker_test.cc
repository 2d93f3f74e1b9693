#include <gtest/gtest.h>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

constexpr char kVm[] = "agent-vm";

using IdList = std::vector<std::string>;

ScheduledEvent Event(std::string id, std::string type, std::string status = "Scheduled",
                     std::vector<std::string> resources = {kVm}) {
  ScheduledEvent event;
  event.id = std::move(id);
  event.type = std::move(type);
  event.status = std::move(status);
  event.resources = std::move(resources);
  return event;
}

ScheduledEventsDocument Document(std::vector<ScheduledEvent> events) {
  return ScheduledEventsDocument{1, std::move(events)};
}

IdList Ids(const std::vector<ScheduledEvent>& events) {
  IdList ids;
  for (const auto& event : events) ids.push_back(event.id);
  return ids;
}

TEST(ScheduledEventTracker, SplitsNewEventsIntoDrainAndNotices) {
  ScheduledEventTracker tracker;
  const auto seen =
      tracker.Observe(Document({Event("T", "Terminate"), Event("R", "Reboot"),
                                Event("P", "Preempt", "Started"), Event("F", "Freeze")}),
                      kVm);
  EXPECT_EQ(Ids(seen.drain), (IdList{"T", "P"}));
  EXPECT_EQ(Ids(seen.notices), (IdList{"R", "F"}));
}

TEST(ScheduledEventTracker, ReportsAnEventOnlyOnceEvenWhenItsStatusChanges) {
  ScheduledEventTracker tracker;
  EXPECT_EQ(Ids(tracker.Observe(Document({Event("T", "Terminate")}), kVm).drain), IdList{"T"});
  const auto again = tracker.Observe(Document({Event("T", "Terminate", "Started")}), kVm);
  EXPECT_TRUE(again.drain.empty());
  EXPECT_TRUE(again.notices.empty());
  const auto later =
      tracker.Observe(Document({Event("T", "Terminate", "Started"), Event("R", "Reboot")}), kVm);
  EXPECT_TRUE(later.drain.empty());
  EXPECT_EQ(Ids(later.notices), IdList{"R"});
}

TEST(ScheduledEventTracker, MatchesEventIdsIgnoringCase) {
  ScheduledEventTracker tracker;
  (void)tracker.Observe(Document({Event("abc-1", "Terminate")}), kVm);
  const auto again = tracker.Observe(Document({Event("ABC-1", "Terminate")}), kVm);
  EXPECT_TRUE(again.drain.empty());
}

TEST(ScheduledEventTracker, ForgetsEventsThatDisappear) {
  ScheduledEventTracker tracker;
  EXPECT_EQ(tracker.Observe(Document({Event("R", "Reboot")}), kVm).notices.size(), 1U);
  EXPECT_TRUE(tracker.Observe(Document({}), kVm).notices.empty());
  // The id is new again once it has left the document.
  EXPECT_EQ(Ids(tracker.Observe(Document({Event("R", "Reboot")}), kVm).notices), IdList{"R"});
}

TEST(ScheduledEventTracker, IgnoresEventsForOtherVms) {
  ScheduledEventTracker tracker;
  const auto seen =
      tracker.Observe(Document({Event("T", "Terminate", "Scheduled", {"other-vm"}),
                                Event("S", "Terminate", "Scheduled", {"other-vm", "AGENT-VM"})}),
                      kVm);
  EXPECT_EQ(Ids(seen.drain), IdList{"S"});
  EXPECT_TRUE(seen.notices.empty());
}

TEST(ScheduledEventTracker, DrainEventWithAnUnexpectedStatusIsOnlyANotice) {
  ScheduledEventTracker tracker;
  const auto seen = tracker.Observe(
      Document({Event("T", "Terminate", "Completed"), Event("U", "Preempt", "")}), kVm);
  EXPECT_TRUE(seen.drain.empty());
  EXPECT_EQ(Ids(seen.notices), (IdList{"T", "U"}));
}

TEST(ScheduledEventTracker, StatusMatchingIgnoresCase) {
  ScheduledEventTracker tracker;
  const auto seen = tracker.Observe(Document({Event("T", "Terminate", "started")}), kVm);
  EXPECT_EQ(Ids(seen.drain), IdList{"T"});
}

TEST(ScheduledEventTracker, ADuplicateIdInOneDocumentIsReportedOnce) {
  ScheduledEventTracker tracker;
  const auto seen =
      tracker.Observe(Document({Event("T", "Terminate"), Event("T", "Terminate")}), kVm);
  EXPECT_EQ(Ids(seen.drain), IdList{"T"});
}

TEST(ScheduledEventTracker, ReportedEventsKeepAllTheirFields) {
  ScheduledEventTracker tracker;
  ScheduledEvent event = Event("T", "Terminate");
  event.not_before = FromUnixSeconds(1'800'000'300);
  event.description = "VM deletion";
  const auto seen = tracker.Observe(Document({event}), kVm);
  ASSERT_EQ(seen.drain.size(), 1U);
  EXPECT_EQ(seen.drain[0].not_before, FromUnixSeconds(1'800'000'300));
  EXPECT_EQ(seen.drain[0].description, "VM deletion");
}

}  // namespace
}  // namespace agentboot::imds

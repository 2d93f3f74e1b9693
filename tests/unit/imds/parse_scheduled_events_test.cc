#include <gtest/gtest.h>

#include "agentboot/imds.h"

namespace agentboot::imds {
namespace {

using namespace std::chrono_literals;

// identity-contract §7.2, byte for byte.
constexpr char kContractExample[] = R"({
    "DocumentIncarnation": 2,
    "Events": [
      {
        "EventId": "C7061BAC-AFDC-4513-B24B-AA5F13A16123",
        "EventStatus": "Scheduled",
        "EventType": "Freeze",
        "ResourceType": "VirtualMachine",
        "Resources": ["WestNO_0", "WestNO_1"],
        "NotBefore": "Mon, 11 Apr 2026 22:26:58 GMT",
        "Description": "Virtual machine is being paused because of a memory-preserving Live Migration operation.",
        "EventSource": "Platform",
        "DurationInSeconds": 5
      }
    ]
  })";

TEST(ParseScheduledEvents, ReadsTheContractExample) {
  auto document = ParseScheduledEvents(kContractExample);
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 2);
  ASSERT_EQ(document->events.size(), 1U);
  const ScheduledEvent& event = document->events[0];
  EXPECT_EQ(event.id, "C7061BAC-AFDC-4513-B24B-AA5F13A16123");
  EXPECT_EQ(event.status, "Scheduled");
  EXPECT_EQ(event.type, "Freeze");
  EXPECT_EQ(event.resource_type, "VirtualMachine");
  EXPECT_EQ(event.resources, (std::vector<std::string>{"WestNO_0", "WestNO_1"}));
  EXPECT_EQ(event.not_before,
            TimePoint(std::chrono::sys_days(std::chrono::year(2026) / 4 / 11)) + 22h + 26min + 58s);
  EXPECT_EQ(event.description,
            "Virtual machine is being paused because of a memory-preserving Live Migration "
            "operation.");
  EXPECT_EQ(event.source, "Platform");
  EXPECT_EQ(event.duration_seconds, 5);
}

TEST(ParseScheduledEvents, StartedEventHasNoNotBefore) {
  auto document = ParseScheduledEvents(
      R"({"DocumentIncarnation":7,"Events":[{"EventId":"A","EventType":"Terminate",
          "EventStatus":"Started","Resources":["vm"],"NotBefore":"","DurationInSeconds":-1}]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 7);
  EXPECT_EQ(document->events[0].status, "Started");
  EXPECT_FALSE(document->events[0].not_before.has_value());
  EXPECT_EQ(document->events[0].duration_seconds, -1);
}

TEST(ParseScheduledEvents, OlderApiVersionsLackOptionalFields) {
  // 2017-08-01: no Description, EventSource or DurationInSeconds.
  auto document = ParseScheduledEvents(
      R"({"DocumentIncarnation":1,"Events":[{"EventId":"B","EventType":"Reboot",
          "EventStatus":"Scheduled","ResourceType":"VirtualMachine","Resources":["vm"],
          "NotBefore":"Tue, 01 Dec 2026 10:00:00 GMT"}]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  const ScheduledEvent& event = document->events[0];
  EXPECT_EQ(event.description, "");
  EXPECT_EQ(event.source, "");
  EXPECT_EQ(event.duration_seconds, -1);
  EXPECT_TRUE(event.not_before.has_value());
}

TEST(ParseScheduledEvents, OnlyIdAndTypeAreRequired) {
  auto document = ParseScheduledEvents(R"({"Events":[{"EventId":"C","EventType":"Preempt"}]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 0);
  const ScheduledEvent& event = document->events[0];
  EXPECT_EQ(event.id, "C");
  EXPECT_EQ(event.type, "Preempt");
  EXPECT_EQ(event.status, "");
  EXPECT_TRUE(event.resources.empty());
  EXPECT_FALSE(event.not_before.has_value());
}

TEST(ParseScheduledEvents, IgnoresUnknownFieldsAndNulls) {
  auto document = ParseScheduledEvents(
      R"({"DocumentIncarnation":3,"Future":{"x":1},"Events":[{"EventId":"D",
          "EventType":"Redeploy","Description":null,"NewField":[1,2],"Resources":["vm"]}]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->events[0].type, "Redeploy");
  EXPECT_EQ(document->events[0].description, "");
}

TEST(ParseScheduledEvents, AcceptsNumbersWrittenAsStrings) {
  auto document = ParseScheduledEvents(
      R"({"DocumentIncarnation":"12","Events":[{"EventId":"E","EventType":"Freeze",
          "DurationInSeconds":" 9 "}]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 12);
  EXPECT_EQ(document->events[0].duration_seconds, 9);
}

TEST(ParseScheduledEvents, AnEmptyEventsArrayIsValid) {
  auto document = ParseScheduledEvents(R"({"DocumentIncarnation":4,"Events":[]})");
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  EXPECT_EQ(document->incarnation, 4);
  EXPECT_TRUE(document->events.empty());
}

void ExpectRejected(std::string_view body, std::string_view mentions) {
  auto document = ParseScheduledEvents(body);
  ASSERT_FALSE(document.has_value()) << body;
  EXPECT_EQ(document.error().code, ErrorCode::kInvalidArgument) << body;
  EXPECT_NE(document.error().detail.find(mentions), std::string::npos) << document.error().detail;
  EXPECT_FALSE(document.error().retryable);
}

TEST(ParseScheduledEvents, RejectsBodiesThatAreNotAnEventsDocument) {
  ExpectRejected("", "not JSON");
  ExpectRejected("<html>maintenance</html>", "not JSON");
  ExpectRejected("[1,2]", "not a JSON object");
  ExpectRejected(R"({"DocumentIncarnation":1})", "no Events array");
  ExpectRejected(R"({"Events":{"EventId":"A"}})", "no Events array");
}

TEST(ParseScheduledEvents, RejectsEventsWithoutIdOrType) {
  ExpectRejected(R"({"Events":[{"EventType":"Reboot"}]})", "Events[0] has no EventId");
  ExpectRejected(R"({"Events":[{"EventId":" ","EventType":"Reboot"}]})", "has no EventId");
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":"Reboot"},{"EventId":"B"}]})",
                 "event B has no EventType");
  ExpectRejected(R"({"Events":["A"]})", "Events[0] is not an object");
}

TEST(ParseScheduledEvents, RejectsFieldsOfTheWrongTypeOrFormat) {
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":"Reboot","NotBefore":"tomorrow"}]})",
                 "NotBefore is not an RFC 1123 date");
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":"Reboot","Resources":"vm"}]})",
                 "Resources is not an array");
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":"Reboot","Resources":[1]}]})",
                 "Resources has a non-string entry");
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":"Reboot","DurationInSeconds":"x"}]})",
                 "DurationInSeconds is not an integer");
  ExpectRejected(R"({"Events":[{"EventId":"A","EventType":7}]})", "EventType is not a string");
  ExpectRejected(R"({"DocumentIncarnation":1.5,"Events":[]})",
                 "DocumentIncarnation is not an integer");
}

}  // namespace
}  // namespace agentboot::imds

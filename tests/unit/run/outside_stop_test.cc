// A stop that reached the listener without agentboot (run_outside_stop.h): when it counts, and
// whether it cancelled a job, read from the server's job requests through a scripted transport.
#include <string>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"

#include "run_outside_stop.h"
#include "static_tokens.h"

namespace agentboot::cli {
namespace {

using supervisor::ExitStatus;

class OutsideStopTest : public ::testing::Test {
 protected:
  // The stop signal reaches agentboot at 2027-01-15T08:00:00Z (FakeClock's start).
  std::string Request(int agent_id, const std::string& result, const std::string& finish) const {
    std::string json =
        R"({"requestId":7,"assignTime":"2027-01-15T07:59:00Z","reservedAgent":{"id":)" +
        std::to_string(agent_id) + "}";
    if (!finish.empty()) json += R"(,"result":")" + result + R"(","finishTime":")" + finish + "\"";
    return json + "}";
  }
  void Answer(const std::string& request) {
    transport_.Json(200, R"({"count":1,"value":[)" + request + "]}");
  }
  std::optional<bool> Cancelled() {
    devops::ClientOptions options;
    options.organization_url = "https://dev.azure.com/org";
    devops::Client client(options, transport_, tokens_, env_.env);
    return stop_.JobCancelled(client, registration_);
  }

  testing::FakeEnv env_;
  http::testing::ScriptedTransport transport_;
  StaticTokens tokens_;
  agent::Registration registration_{agent::RegisterOutcome::kCreated, 1, "Default", 42, "a"};
  OutsideStop stop_{env_.clock};
};

TEST(EndedBySigterm, TheSignalOrTheRuntimesExit143) {
  EXPECT_TRUE(EndedBySigterm(ExitStatus{-1, 15}));
  EXPECT_TRUE(EndedBySigterm(ExitStatus{143, 0}));
  EXPECT_FALSE(EndedBySigterm(ExitStatus{-1, 9}));
  EXPECT_FALSE(EndedBySigterm(ExitStatus{-1, 2}));
  EXPECT_FALSE(EndedBySigterm(ExitStatus{0, 0}));
  EXPECT_FALSE(EndedBySigterm(ExitStatus{2, 0}));
}

TEST_F(OutsideStopTest, ASigtermCountsOnlyAfterAStopSignalReachedAgentboot) {
  EXPECT_FALSE(stop_.ListenerEnded(ExitStatus{-1, 15}));  // a crash-like end: restart policy
  EXPECT_FALSE(stop_.happened());
  stop_.StopSignalReceived();
  EXPECT_FALSE(stop_.ListenerEnded(ExitStatus{0, 0}));  // the drain's own clean exit
  EXPECT_FALSE(stop_.happened());
  EXPECT_TRUE(stop_.ListenerEnded(ExitStatus{143, 0}));
  EXPECT_TRUE(stop_.happened());
}

TEST_F(OutsideStopTest, NoStopNoQuestionToTheServer) {
  EXPECT_EQ(Cancelled(), false);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(OutsideStopTest, WhatTheJobRequestsSay) {
  struct Row {
    std::string name;
    std::string request;
    std::optional<bool> cancelled;
  };
  const std::vector<Row> rows{
      {"still_running", Request(42, "", ""), true},
      {"canceled_after_the_stop", Request(42, "canceled", "2027-01-15T08:00:05.120Z"), true},
      {"abandoned_after_the_stop", Request(42, "abandoned", "2027-01-15T08:00:00Z"), true},
      {"canceled_before_the_stop", Request(42, "canceled", "2027-01-15T07:59:59Z"), false},
      {"succeeded_after_the_stop", Request(42, "succeeded", "2027-01-15T08:00:05Z"), false},
      {"another_agents_job", Request(43, "", ""), false},
  };
  stop_.StopSignalReceived();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Answer(row.request);
    EXPECT_EQ(Cancelled(), row.cancelled);
  }
  transport_.Json(403, R"({"message":"no"})");
  EXPECT_EQ(Cancelled(), std::nullopt);  // unreadable: unknown
}

TEST_F(OutsideStopTest, TheReportSaysWhatToChange) {
  stop_.Report(env_.log, true);
  EXPECT_TRUE(env_.log.entries().empty());  // nothing happened
  stop_.StopSignalReceived();
  ASSERT_TRUE(stop_.ListenerEnded(ExitStatus{-1, 15}));
  stop_.Report(env_.log, true);
  stop_.Report(env_.log, std::nullopt);
  const auto entries = env_.log.entries();
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].level, LogLevel::kError);
  EXPECT_NE(entries[0].message.find("JOB CANCELLED"), std::string::npos);
  EXPECT_EQ(entries[1].level, LogLevel::kWarning);
  EXPECT_NE(entries[1].message.find("it was not restarted"), std::string::npos);
  EXPECT_TRUE(env_.log.Contains("KillMode=mixed"));
  EXPECT_TRUE(env_.log.Contains("unknown"));
}

}  // namespace
}  // namespace agentboot::cli

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/base_testing.h"
#include "agentboot/telemetry.h"

namespace agentboot::telemetry {
namespace {

TEST(StreamLogger, TextLineCarriesSourceMessageAndQuotedFields) {
  std::ostringstream out;
  testing::FakeClock clock;
  StreamLogger log(out, clock, {});
  log.Log(LogLevel::kInfo, "identity", "token acquired", {{"source", "imds"}, {"who", "a b"}});
  EXPECT_EQ(out.str(), "agentboot[identity]: token acquired source=imds who=\"a b\"\n");
}

// Security review L2: a value that is not UTF-8 is logged (replaced), never an abort.
TEST(StreamLogger, InvalidUtf8InAQuotedTextValueDoesNotThrow) {
  std::ostringstream out;
  testing::FakeClock clock;
  StreamLogger log(out, clock, {});
  EXPECT_NO_THROW(log.Log(LogLevel::kInfo, "run", "x", {{"name", "bad \xff\xfe name"}}));
  EXPECT_NE(out.str().find("name=\"bad "), std::string::npos) << out.str();
}

// security-review L14: a field named like a reserved key cannot overwrite it.
TEST(StreamLogger, JsonFieldCannotOverwriteReservedKeys) {
  std::ostringstream out;
  testing::FakeClock clock(FromUnixSeconds(0));
  StreamLogger log(out, clock, {LogFormat::kJson, LogLevel::kInfo, false});
  log.Log(LogLevel::kInfo, "identity", "token acquired",
          {{"source", "workload"},
           {"time", "2099-01-01T00:00:00Z"},
           {"level", "error"},
           {"msg", "forged"},
           {"message", "forged too"}});
  const auto event = nlohmann::json::parse(out.str());
  EXPECT_EQ(event["source"], "identity");
  EXPECT_EQ(event["time"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(event["level"], "info");
  EXPECT_EQ(event["msg"], "token acquired");
  EXPECT_FALSE(event.contains("message"));
  EXPECT_EQ(event["field.source"], "workload");
  EXPECT_EQ(event["field.time"], "2099-01-01T00:00:00Z");
  EXPECT_EQ(event["field.level"], "error");
  EXPECT_EQ(event["field.msg"], "forged");
  EXPECT_EQ(event["field.message"], "forged too");
}

TEST(StreamLogger, JsonLinesAreParseableAndOrdered) {
  std::ostringstream out;
  testing::FakeClock clock(FromUnixSeconds(0));
  StreamLogger log(out, clock, {LogFormat::kJson, LogLevel::kInfo, false});
  log.Log(LogLevel::kWarning, "devops", "throttled", {{"retry_after", "3"}});
  const auto event = nlohmann::json::parse(out.str());
  EXPECT_EQ(event["time"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(event["level"], "warning");
  EXPECT_EQ(event["source"], "devops");
  EXPECT_EQ(event["retry_after"], "3");
}

TEST(StreamLogger, DropsEventsBelowMinimumLevel) {
  std::ostringstream out;
  testing::FakeClock clock;
  StreamLogger log(out, clock, {});
  log.Log(LogLevel::kDebug, "http", "GET …", {});
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace agentboot::telemetry

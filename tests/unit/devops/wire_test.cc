// Parsing of the distributedtask JSON shapes (agent-contract §1 "JSON shapes", §6).
#include "wire.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace agentboot::devops::detail {
namespace {

TEST(ParseAgent, ReadsAuthorizationCapabilitiesPropertiesAndAssignment) {
  const auto agent =
      ParseAgent(R"({"id":3,"name":"a","version":"4.1.0","enabled":false,"status":"online",)"
                 R"("authorization":{"clientId":"c","authorizationUrl":"https://t",)"
                 R"("publicKey":{"exponent":"AQAB","modulus":"bQ=="}},)"
                 R"("systemCapabilities":{"Agent.OS":"Linux","EMPTY":null},)"
                 R"("properties":{"ServerUrl":{"$type":"System.String","$value":"https://x/"}},)"
                 R"("assignedRequest":{"requestId":9}})",
                 "test");
  ASSERT_TRUE(agent.has_value()) << agent.error().ToString();
  EXPECT_EQ(agent->id, 3);
  EXPECT_FALSE(agent->enabled);
  EXPECT_EQ(agent->status, "online");
  EXPECT_EQ(agent->authorization.authorization_url, "https://t");
  EXPECT_EQ(agent->authorization.public_key.modulus, "bQ==");
  EXPECT_EQ(agent->system_capabilities.at("Agent.OS"), "Linux");
  EXPECT_EQ(agent->system_capabilities.at("EMPTY"), "");
  EXPECT_EQ(agent->properties.at("ServerUrl"), "https://x/");
  EXPECT_TRUE(agent->has_assigned_request);
}

TEST(ParseAgent, RejectsNonAgentJson) {
  const auto agent = ParseAgent(R"({"count":0,"value":[]})", "GET x");
  ASSERT_FALSE(agent.has_value());
  EXPECT_EQ(agent.error().code, ErrorCode::kInternal);
  EXPECT_EQ(agent.error().context, "GET x");
}

TEST(ParsePools, RequiresACollection) {
  EXPECT_FALSE(ParsePools(R"({"id":1})", "test").has_value());
  const auto pools =
      ParsePools(R"({"count":1,"value":[{"id":1,"name":"p","isHosted":true}]})", "test");
  ASSERT_TRUE(pools.has_value());
  EXPECT_TRUE(pools->at(0).is_hosted);
}

TEST(ParsePackages, AcceptsStringVersions) {
  const auto packages =
      ParsePackages(R"({"count":1,"value":[{"type":"agent","version":"4.2.1"}]})", "test");
  ASSERT_TRUE(packages.has_value());
  EXPECT_EQ(packages->at(0).version, "4.2.1");
}

TEST(ParseWrappedException, ReadsMessageAndTypeKey) {
  const auto wrapped = ParseWrappedException(R"({"message":"m","typeKey":"K"})");
  ASSERT_TRUE(wrapped.has_value());
  EXPECT_EQ(wrapped->message, "m");
  EXPECT_EQ(wrapped->type_key, "K");
  EXPECT_FALSE(ParseWrappedException("<html>").has_value());
  EXPECT_FALSE(ParseWrappedException(R"({"count":0})").has_value());
}

TEST(AgentToJson, IncludesIdOnlyForReplace) {
  Agent agent;
  agent.id = 4;
  EXPECT_EQ(AgentToJson(agent, false).find("\"id\""), std::string::npos);
  EXPECT_NE(AgentToJson(agent, true).find("\"id\":4"), std::string::npos);
}

// Security review L11 (D16a/D16c): a wrong-typed pool or agent is an error with advice, never
// pool id 0 or an empty name.
class WrongTypedPool : public ::testing::TestWithParam<std::string> {};

TEST_P(WrongTypedPool, IsAnErrorNotASilentZero) {
  const auto pools = ParsePools(R"({"count":1,"value":[)" + GetParam() + "]}", "GET pools");
  ASSERT_FALSE(pools.has_value()) << GetParam() << " gave id " << (*pools)[0].id;
  EXPECT_EQ(pools.error().code, ErrorCode::kInternal);
  EXPECT_EQ(pools.error().context, "GET pools");
  EXPECT_FALSE(pools.error().advice.empty());
}

INSTANTIATE_TEST_SUITE_P(SecurityReviewL11, WrongTypedPool,
                         ::testing::Values(R"({"id":"abc","name":5})", R"({"id":"abc","name":"p"})",
                                           R"({"id":1e20,"name":"p"})",
                                           R"({"id":100000000000000000000,"name":"p"})",
                                           R"({"id":18446744073709551615,"name":"p"})",
                                           R"({"id":9223372036854775808,"name":"p"})",
                                           R"({"id":0,"name":"p"})", R"({"id":-3,"name":"p"})",
                                           R"({"name":"p"})", R"({"id":1})",
                                           R"({"id":1,"name":null})", R"(7)", R"("pool")"));

TEST(ParsePools, LargestInt64IdIsKept) {
  const auto pools = ParsePools(R"({"value":[{"id":9223372036854775807,"name":"p"}]})", "t");
  ASSERT_TRUE(pools.has_value()) << pools.error().ToString();
  EXPECT_EQ((*pools)[0].id, INT64_MAX);
}

TEST(ParseAgent, WrongTypedIdOrNameIsAnError) {
  for (const char* body : {R"({"id":"3","name":"a"})", R"({"id":3,"name":7})", R"({"id":3})",
                           R"({"id":1e30,"name":"a"})", R"({"id":3,"name":"a","enabled":"no"})"}) {
    const auto agent = ParseAgent(body, "t");
    EXPECT_FALSE(agent.has_value()) << body;
  }
  const auto agents = ParseAgents(R"({"value":[{"id":"x","name":"a"}]})", "t");
  EXPECT_FALSE(agents.has_value());
}

TEST(ParseJobRequests, WrongTypedIdsAreErrors) {
  EXPECT_FALSE(ParseJobRequests(R"({"value":[{"requestId":"1"}]})", "t").has_value());
  EXPECT_FALSE(ParseJobRequests(R"({"value":[{"requestId":1,"reservedAgent":{"id":"a"}}]})", "t")
                   .has_value());
  EXPECT_TRUE(
      ParseJobRequests(R"({"value":[{"requestId":1,"reservedAgent":{"id":2}}]})", "t").has_value());
}

// Security review L2: invalid UTF-8 that reaches the serializer is replaced, never thrown (the
// CLI rejects it up front; this is the last line).
TEST(AgentToJson, InvalidUtf8DoesNotThrow) {
  Agent agent;
  agent.name = "\xff\xfe-bad";
  agent.user_capabilities["k\xc3"] = "v\xff";
  std::string body;
  EXPECT_NO_THROW(body = AgentToJson(agent, false));
  EXPECT_NE(body.find("-bad"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(body, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace agentboot::devops::detail

namespace agentboot::devops::detail {
namespace {

// The job's result and the agent's status are parsed once, here; the text stays for printing.
TEST(ParseJobRequests, ReadsEachResultAsTheApiSpellsIt) {
  const auto requests = ParseJobRequests(
      R"({"count":7,"value":[{"requestId":1,"result":"succeeded"},)"
      R"({"requestId":2,"result":"succeededWithIssues"},{"requestId":3,"result":"failed"},)"
      R"({"requestId":4,"result":"canceled"},{"requestId":5,"result":"abandoned"},)"
      R"({"requestId":6,"result":"skipped"},{"requestId":7}]})",
      "t");
  ASSERT_TRUE(requests.has_value()) << requests.error().ToString();
  ASSERT_EQ(requests->size(), 7U);
  const JobResult expected[] = {JobResult::kSucceeded, JobResult::kSucceededWithIssues,
                                JobResult::kFailed,    JobResult::kCanceled,
                                JobResult::kAbandoned, JobResult::kSkipped,
                                JobResult::kNone};
  for (size_t i = 0; i < requests->size(); ++i) {
    EXPECT_EQ((*requests)[i].result_kind, expected[i]) << (*requests)[i].result;
  }
  EXPECT_EQ((*requests)[1].result, "succeededWithIssues");
}

TEST(ParseJobResult, UnknownWordsAreNoResult) {
  EXPECT_EQ(ParseJobResult("Failed"), JobResult::kFailed);
  EXPECT_EQ(ParseJobResult(""), JobResult::kNone);
  EXPECT_EQ(ParseJobResult("failedd"), JobResult::kNone);
}

TEST(ParseAgent, ReadsTheStatusOnceAsAnEnum) {
  const auto online = ParseAgent(R"({"id":3,"name":"a","status":"online"})", "t");
  ASSERT_TRUE(online.has_value()) << online.error().ToString();
  EXPECT_EQ(online->status_kind, AgentStatus::kOnline);
  const auto offline = ParseAgent(R"({"id":3,"name":"a","status":"offline"})", "t");
  ASSERT_TRUE(offline.has_value());
  EXPECT_EQ(offline->status_kind, AgentStatus::kOffline);
  const auto missing = ParseAgent(R"({"id":3,"name":"a"})", "t");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status_kind, AgentStatus::kUnknown);
  EXPECT_EQ(ParseAgentStatus("Online"), AgentStatus::kOnline);
}

}  // namespace
}  // namespace agentboot::devops::detail

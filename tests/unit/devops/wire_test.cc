// Parsing of the distributedtask JSON shapes (agent-contract §1 "JSON shapes", §6).
#include "wire.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace agentboot::devops::detail

// The .agent and .credentials parsers: as forgiving as the agent where it is (BOM, key case) and
// strict where the listener would fail later (required fields).

#include <gtest/gtest.h>

#include "agentboot/agent.h"

namespace agentboot::agent {
namespace {

constexpr std::string_view kSettings = R"({
  "agentId": 7,
  "agentName": "build-01",
  "poolId": 3,
  "poolName": "Default",
  "serverUrl": "https://dev.azure.com/org",
  "workFolder": "_work",
  "someFutureField": {"x": 1}
})";

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  out.replace(out.find(from), from.size(), to);
  return out;
}

TEST(ParseSettings, ReadsFileWithoutBomAndIgnoresUnknownKeys) {
  auto settings = ParseSettings(kSettings);
  ASSERT_TRUE(settings) << settings.error().ToString();
  EXPECT_EQ(settings->agent_id, 7);
  EXPECT_EQ(settings->agent_name, "build-01");
  EXPECT_EQ(settings->pool_id, 3);
  EXPECT_EQ(settings->pool_name, "Default");
  EXPECT_EQ(settings->server_url, "https://dev.azure.com/org");
  EXPECT_EQ(settings->work_folder, "_work");
  EXPECT_FALSE(settings->debug_mode);
}

TEST(ParseSettings, RoundTripsSerialisedSettingsWithBom) {
  AgentSettings in;
  in.agent_id = 12;
  in.pool_id = 1;
  in.server_url = "https://example.test/";
  in.work_folder = "/w";
  in.skip_capabilities_scan = true;
  auto out = ParseSettings(SerializeSettings(in));
  ASSERT_TRUE(out) << out.error().ToString();
  EXPECT_EQ(out->agent_id, 12);
  EXPECT_EQ(out->work_folder, "/w");
  EXPECT_TRUE(out->skip_capabilities_scan);
  EXPECT_EQ(SerializeSettings(*out), SerializeSettings(in));
}

TEST(ParseSettings, MatchesKeysCaseInsensitivelyLikeNewtonsoft) {
  auto settings = ParseSettings(Replace(kSettings, "\"workFolder\"", "\"WorkFolder\""));
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->work_folder, "_work");
}

TEST(ParseSettings, RequiresWorkFolderAgentIdPoolIdAndServerUrl) {
  for (std::string_view key : {"\"workFolder\": \"_work\"", "\"agentId\": 7", "\"poolId\": 3",
                               "\"serverUrl\": \"https://dev.azure.com/org\""}) {
    auto settings = ParseSettings(Replace(kSettings, key, "\"removed\": 0"));
    ASSERT_FALSE(settings) << key;
    EXPECT_EQ(settings.error().code, ErrorCode::kInvalidArgument);
  }
  auto empty_work = ParseSettings(Replace(kSettings, "\"_work\"", "\"\""));
  ASSERT_FALSE(empty_work);
  EXPECT_NE(empty_work.error().detail.find("workFolder"), std::string::npos);
}

TEST(ParseSettings, RejectsWrongTypesAndMalformedJson) {
  EXPECT_FALSE(ParseSettings(Replace(kSettings, "\"agentId\": 7", "\"agentId\": \"7\"")));
  EXPECT_FALSE(ParseSettings(Replace(kSettings, "\"agentId\": 7", "\"agentId\": 4294967296")));
  EXPECT_FALSE(ParseSettings(Replace(kSettings, "\"poolName\": \"Default\"", "\"poolName\": 1")));
  EXPECT_FALSE(ParseSettings("{"));
  EXPECT_FALSE(ParseSettings("[]"));
  EXPECT_FALSE(ParseSettings(""));
}

constexpr std::string_view kCredentials =
    "\xEF\xBB\xBF{\"scheme\":\"OAuth\",\"data\":{\"clientId\":\"c-1\","
    "\"authorizationUrl\":\"https://auth.test/a\",\"oauthEndpointUrl\":\"https://auth.test/t\"}}";

TEST(ParseCredentials, ReadsOAuthData) {
  auto credentials = ParseCredentials(kCredentials);
  ASSERT_TRUE(credentials) << credentials.error().ToString();
  EXPECT_EQ(credentials->client_id, "c-1");
  EXPECT_EQ(credentials->authorization_url, "https://auth.test/a");
  EXPECT_EQ(credentials->oauth_endpoint_url, "https://auth.test/t");
}

TEST(ParseCredentials, DefaultsOauthEndpointToAuthorizationUrl) {
  auto credentials =
      ParseCredentials(Replace(kCredentials, ",\"oauthEndpointUrl\":\"https://auth.test/t\"", ""));
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->oauth_endpoint_url, "https://auth.test/a");
}

TEST(ParseCredentials, AcceptsAnyCaseOfSchemeAndDataKeys) {
  auto credentials = ParseCredentials(
      Replace(Replace(kCredentials, "\"OAuth\"", "\"oauth\""), "clientId", "CLIENTID"));
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->client_id, "c-1");
}

TEST(ParseCredentials, RejectsOtherSchemesAndMissingFields) {
  auto pat = ParseCredentials(Replace(kCredentials, "\"OAuth\"", "\"PAT\""));
  ASSERT_FALSE(pat);
  EXPECT_EQ(pat.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ParseCredentials(Replace(kCredentials, "\"clientId\":\"c-1\",", "")));
  EXPECT_FALSE(
      ParseCredentials(Replace(kCredentials, "\"authorizationUrl\":\"https://auth.test/a\",", "")));
  EXPECT_FALSE(ParseCredentials(R"({"scheme":"OAuth"})"));
  EXPECT_FALSE(ParseCredentials(R"({"data":{}})"));
}

TEST(ParseCredentials, RoundTripsSerialisedCredentials) {
  const CredentialData in{"id", "https://a.test/x", "https://a.test/y"};
  auto out = ParseCredentials(SerializeCredentials(in));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->client_id, in.client_id);
  EXPECT_EQ(out->authorization_url, in.authorization_url);
  EXPECT_EQ(out->oauth_endpoint_url, in.oauth_endpoint_url);
}

}  // namespace
}  // namespace agentboot::agent

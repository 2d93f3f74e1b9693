// Byte-exact output of the three files, as the .NET agent writes them (agent-contract §2).

#include <sstream>

#include <gtest/gtest.h>

#include "agentboot/agent.h"

#include "test_key.h"

namespace agentboot::agent {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

AgentSettings Settings() {
  AgentSettings s;
  s.agent_id = 7;
  s.agent_name = "build-01";
  s.pool_id = 3;
  s.pool_name = "Default";
  s.server_url = "https://dev.azure.com/org";
  s.work_folder = "_work";
  return s;
}

TEST(SettingsFile, MatchesAgentBytesWithDefaultsOmitted) {
  const std::string expected = std::string(kBom) +
                               "{\n"
                               "  \"agentId\": 7,\n"
                               "  \"agentName\": \"build-01\",\n"
                               "  \"poolId\": 3,\n"
                               "  \"poolName\": \"Default\",\n"
                               "  \"serverUrl\": \"https://dev.azure.com/org\",\n"
                               "  \"workFolder\": \"_work\"\n"
                               "}";
  EXPECT_EQ(SerializeSettings(Settings()), expected);
}

TEST(SettingsFile, StartsWithUtf8Bom) {
  const std::string text = SerializeSettings(Settings());
  ASSERT_GE(text.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(text[0]), 0xEF);
  EXPECT_EQ(static_cast<unsigned char>(text[1]), 0xBB);
  EXPECT_EQ(static_cast<unsigned char>(text[2]), 0xBF);
}

TEST(SettingsFile, WritesTrueFlagsInDeclarationOrder) {
  AgentSettings s = Settings();
  s.accept_tee_eula = true;
  s.skip_session_recover = true;
  s.debug_mode = true;
  const std::string text = SerializeSettings(s);
  EXPECT_TRUE(StartsWith(text, std::string(kBom) + "{\n  \"acceptTeeEula\": true,\n"));
  EXPECT_LT(text.find("\"agentName\""), text.find("\"skipSessionRecover\": true"));
  EXPECT_LT(text.find("\"skipSessionRecover\""), text.find("\"poolId\""));
  EXPECT_TRUE(EndsWith(text, "\"workFolder\": \"_work\",\n  \"debugMode\": true\n}"));
  EXPECT_EQ(text.find("skipCapabilitiesScan"), std::string::npos);
}

TEST(CredentialsFile, MatchesAgentBytes) {
  const CredentialData credentials{"8a7d6c3e-0000-4000-8000-000000000001",
                                   "https://vstoken.example/org/oauth2/token",
                                   "https://vstoken.example/org/oauth2/token?x=1"};
  const std::string expected =
      std::string(kBom) +
      "{\n"
      "  \"scheme\": \"OAuth\",\n"
      "  \"data\": {\n"
      "    \"clientId\": \"8a7d6c3e-0000-4000-8000-000000000001\",\n"
      "    \"authorizationUrl\": \"https://vstoken.example/org/oauth2/token\",\n"
      "    \"oauthEndpointUrl\": \"https://vstoken.example/org/oauth2/token?x=1\"\n"
      "  }\n"
      "}";
  EXPECT_EQ(SerializeCredentials(credentials), expected);
}

TEST(RsaParamsFile, MatchesAgentBytesAndKeyOrder) {
  RsaParams params;
  params.d = {0x00, 0x01, 0x02, 0x03};
  params.dp = {0x0a, 0x0b};
  params.dq = {0x0c, 0x0d};
  params.exponent = {0x01, 0x00, 0x01};
  params.inverse_q = {0x00, 0x0f};
  params.modulus = {0xc1, 0x02, 0x03, 0x04};
  params.p = {0xfb, 0xff};
  params.q = {0xe1, 0x01};
  const std::string expected = std::string(kBom) +
                               "{\n"
                               "  \"ContainerName\": \"\",\n"
                               "  \"UseCng\": false,\n"
                               "  \"d\": \"AAECAw==\",\n"
                               "  \"dp\": \"Cgs=\",\n"
                               "  \"dq\": \"DA0=\",\n"
                               "  \"exponent\": \"AQAB\",\n"
                               "  \"inverseQ\": \"AA8=\",\n"
                               "  \"modulus\": \"wQIDBA==\",\n"
                               "  \"p\": \"+/8=\",\n"
                               "  \"q\": \"4QE=\"\n"
                               "}";
  EXPECT_EQ(SerializeRsaParams(params).Reveal(), expected);
}

TEST(RsaParamsFile, SerialisedKeyNeverPrints) {
  RsaParams params;
  params.d = {0x01};
  std::ostringstream out;
  out << SerializeRsaParams(params);
  EXPECT_EQ(out.str(), "***");
}

TEST(PublicKeyJson, IsPlainBase64ExponentAndModulus) {
  const nlohmann::json json = PublicKeyJson(testing::TestKey());
  EXPECT_EQ(json.at("exponent"), "AQAB");
  const std::string modulus = json.at("modulus");
  EXPECT_EQ(modulus.size(), 344u);  // 256 bytes, padded standard base64
  EXPECT_EQ(jose::Base64Decode(modulus).value().size(), 256u);
  EXPECT_EQ(json.size(), 2u);
}

}  // namespace
}  // namespace agentboot::agent

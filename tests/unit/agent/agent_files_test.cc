#include <gtest/gtest.h>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"

#include "test_key.h"

namespace agentboot::agent {
namespace {

using agentboot::testing::MemFileSystem;
using testing::TestKey;

// Forwards to MemFileSystem and records the order of removals.
class RecordingFileSystem final : public ForwardingFileSystem {
 public:
  RecordingFileSystem() : ForwardingFileSystem(mem) {}
  Status Remove(const std::string& path) override {
    removed.push_back(path);
    return mem.Remove(path);
  }

  MemFileSystem mem;
  std::vector<std::string> removed;
};

AgentSettings Settings() {
  AgentSettings s;
  s.agent_id = 42;
  s.agent_name = "vm-1";
  s.pool_id = 9;
  s.pool_name = "linux";
  s.server_url = "https://dev.azure.com/org";
  s.work_folder = "_work";
  return s;
}

const CredentialData kCredentials{"0b5f5a0e-1111-4222-8333-444455556666",
                                  "https://vstoken.dev.azure.com/org/oauth2/token",
                                  "https://vstoken.dev.azure.com/org/oauth2/token"};

TEST(AgentFiles, PathsAreInTheAgentRoot) {
  MemFileSystem fs;
  AgentFiles files(fs, "/opt/agent/");
  EXPECT_EQ(files.settings_path(), "/opt/agent/.agent");
  EXPECT_EQ(files.credentials_path(), "/opt/agent/.credentials");
  EXPECT_EQ(files.rsa_params_path(), "/opt/agent/.credentials_rsaparams");
  EXPECT_EQ(AgentFiles(fs, "/opt/agent").settings_path(), "/opt/agent/.agent");
}

TEST(AgentFiles, WritesEveryFileWithMode0600) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  ASSERT_TRUE(files.WriteKey(TestKey()));
  ASSERT_TRUE(files.WriteCredentials(kCredentials));
  ASSERT_TRUE(files.WriteSettings(Settings()));
  EXPECT_EQ(fs.ModeOf("/a/.credentials_rsaparams"), 0600u);
  EXPECT_EQ(fs.ModeOf("/a/.credentials"), 0600u);
  EXPECT_EQ(fs.ModeOf("/a/.agent"), 0600u);
  EXPECT_EQ(fs.ReadFile("/a/.agent").value(), SerializeSettings(Settings()));
}

TEST(AgentFiles, IsConfiguredOnlyWhenDotAgentExists) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  ASSERT_TRUE(files.WriteCredentials(kCredentials));
  EXPECT_FALSE(files.IsConfigured());
  ASSERT_TRUE(files.WriteSettings(Settings()));
  EXPECT_TRUE(files.IsConfigured());
}

TEST(AgentFiles, RemoveAllDeletesCredentialsThenKeyThenSettings) {
  RecordingFileSystem fs;
  AgentFiles files(fs, "/a");
  ASSERT_TRUE(files.WriteKey(TestKey()));
  ASSERT_TRUE(files.WriteCredentials(kCredentials));
  ASSERT_TRUE(files.WriteSettings(Settings()));
  ASSERT_TRUE(files.RemoveAll());
  EXPECT_EQ(fs.removed, (std::vector<std::string>{"/a/.credentials", "/a/.credentials_rsaparams",
                                                  "/a/.agent"}));
  EXPECT_FALSE(files.IsConfigured());
  EXPECT_FALSE(fs.Exists("/a/.credentials_rsaparams"));
  EXPECT_TRUE(files.RemoveAll());  // idempotent
}

TEST(AgentFiles, LoadReportsMissingFilesAsNotFound) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  auto key = files.LoadKey();
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
  auto credentials = files.LoadCredentials();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(files.LoadSettings().error().code, ErrorCode::kNotFound);
}

TEST(AgentFiles, LoadNamesTheFileOfACorruptKey) {
  MemFileSystem fs;
  fs.Put("/a/.credentials_rsaparams", "{\"d\":\"AA==\"}");
  AgentFiles files(fs, "/a");
  auto key = files.LoadKey();
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().context.find("/a/.credentials_rsaparams"), std::string::npos);
}

TEST(AgentFiles, LoadOrCreateKeyReusesAnExistingKey) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  ASSERT_TRUE(files.WriteKey(TestKey()));
  auto key = files.LoadOrCreateKey();
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->PublicDer(), TestKey().PublicDer());
}

TEST(AgentFiles, LoadOrCreateKeyWritesANewKeyOnce) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  auto created = files.LoadOrCreateKey();
  ASSERT_TRUE(created);
  EXPECT_EQ(created->bits(), 2048);
  auto again = files.LoadOrCreateKey();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->PublicDer(), created->PublicDer());
}

TEST(AgentFiles, LoadOrCreateKeyMakesAMissingKeyWithTheGivenMakerAndWritesIt) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  int made = 0;
  auto maker = [&made]() -> Result<jose::RsaKey> {
    ++made;
    return jose::RsaKey::FromPem(TestKey().PrivatePem().Reveal());
  };
  auto created = files.LoadOrCreateKey(maker);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->PublicDer(), TestKey().PublicDer());
  auto stored = files.LoadKey();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->PublicDer(), TestKey().PublicDer());
  ASSERT_TRUE(files.LoadOrCreateKey(maker));  // on disk now: not made again
  EXPECT_EQ(made, 1);
}

TEST(AgentFiles, LoadOrCreateKeyReportsTheMakersFailureAndWritesNothing) {
  MemFileSystem fs;
  AgentFiles files(fs, "/a");
  auto failed = files.LoadOrCreateKey(
      []() -> Result<jose::RsaKey> { return Fail(ErrorCode::kInternal, "keygen", "no entropy"); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInternal);
  EXPECT_FALSE(fs.Exists(files.rsa_params_path()));
}

TEST(KeyInAdvance, TheFirstTakeIsTheKeyMadeAheadLaterOnesAreNew) {
  KeyInAdvance ahead;
  auto first = ahead.Take();
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(first->has_private());
  EXPECT_EQ(first->bits(), 2048);
  auto second = ahead.Take();  // a re-registration after the first: a new key, not a crash
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_NE(second->PublicDer(), first->PublicDer());
}

TEST(AgentFiles, WriteFailuresAreReported) {
  MemFileSystem fs;
  fs.FailWritesUnder("/a");
  AgentFiles files(fs, "/a");
  EXPECT_FALSE(files.WriteSettings(Settings()));
  EXPECT_FALSE(files.IsConfigured());
}

TEST(AgentFiles, RoundTripWriteLoadSignVerify) {
  MemFileSystem fs;
  {
    AgentFiles writer(fs, "/agent");
    ASSERT_TRUE(writer.WriteKey(TestKey()));
    ASSERT_TRUE(writer.WriteCredentials(kCredentials));
    ASSERT_TRUE(writer.WriteSettings(Settings()));
  }
  AgentFiles reader(fs, "/agent");
  auto settings = reader.LoadSettings();
  ASSERT_TRUE(settings) << settings.error().ToString();
  EXPECT_EQ(settings->agent_id, 42);
  auto credentials = reader.LoadCredentials();
  ASSERT_TRUE(credentials) << credentials.error().ToString();
  auto key = reader.LoadKey();
  ASSERT_TRUE(key) << key.error().ToString();

  const int64_t now = 1'800'000'000;
  auto assertion = BuildJwtAssertion(*credentials, *key, now, "jti-1");
  ASSERT_TRUE(assertion) << assertion.error().ToString();
  // The server only has the public key it was sent at registration.
  const nlohmann::json public_key = PublicKeyJson(TestKey());
  jose::RsaComponents components;
  const std::string n = jose::Base64Decode(public_key.at("modulus").get<std::string>()).value();
  const std::string e = jose::Base64Decode(public_key.at("exponent").get<std::string>()).value();
  components.n.assign(n.begin(), n.end());
  components.e.assign(e.begin(), e.end());
  auto server_key = jose::RsaKey::FromComponents(components);
  ASSERT_TRUE(server_key);
  auto verified = jose::VerifyJwt(*assertion, *server_key, {.now = now});
  ASSERT_TRUE(verified) << verified.error().ToString();
  EXPECT_EQ(verified->claims.at("iss"), kCredentials.client_id);
}

}  // namespace
}  // namespace agentboot::agent

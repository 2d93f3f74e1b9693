// RotateKey: the requests it sends and what it leaves on disk for each answer of the server.
#include <nlohmann/json.hpp>

#include "rotation_fixture.h"
#include "test_key.h"

namespace agentboot::agent::testing {
namespace {

using nlohmann::json;

const std::string kAgentUrl = std::string(kOrg) + "/_apis/distributedtask/pools/7/agents/12";

std::string Modulus(const jose::RsaKey& key) { return PublicKeyJson(key)["modulus"]; }

TEST_F(RotationTest, SendsGetThenPutWithTheNewKeyAndLeavesNoJournal) {
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();

  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_NE(Modulus(*disk), Modulus(TestKey()));
  EXPECT_TRUE(server_.Holds(*disk));
  EXPECT_FALSE(HasJournal());
  EXPECT_EQ(mem_.ModeOf(files_.rsa_params_path()), 0600U);

  const std::vector<http::Request>& sent = server_.requests();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_EQ(sent[0].url, kAgentUrl + "?includeCapabilities=true&includeAssignedRequest=true");
  EXPECT_EQ(sent[1].method, "PUT");
  EXPECT_EQ(sent[1].url, kAgentUrl);
  const json body = json::parse(sent[1].body);
  EXPECT_EQ(body["authorization"]["publicKey"], PublicKeyJson(*disk));
  // The rest of the agent is sent back as the server had it.
  EXPECT_EQ(body["id"], kAgentId);
  EXPECT_EQ(body["name"], "host-1");
  EXPECT_EQ(body["enabled"], false);
  EXPECT_EQ(body["systemCapabilities"]["agentboot"], "true");

  EXPECT_EQ(rotated->pool_id, kPoolId);
  EXPECT_EQ(rotated->agent_id, kAgentId);
  EXPECT_EQ(rotated->agent_name, "host-1");
  EXPECT_EQ(rotated->old_fingerprint, KeyFingerprint(TestKey()));
  EXPECT_EQ(rotated->new_fingerprint, KeyFingerprint(*disk));
  EXPECT_EQ(rotated->new_fingerprint.size(), 8U);
  EXPECT_NE(rotated->old_fingerprint, rotated->new_fingerprint);
}

// agent-audit D4: the GET names no key; .agent naming this agent id is the evidence.
TEST_F(RotationTest, RotatesWhenGetAnswersCarryNoKey) {
  server_.gets_omit_authorization = true;
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_TRUE(server_.Holds(*disk));
  EXPECT_NE(Modulus(*disk), Modulus(TestKey()));
  EXPECT_FALSE(HasJournal());
}

// agent-audit D7: a PUT answer with another OAuth client rewrites .credentials.
TEST_F(RotationTest, ANewClientIdInThePutAnswerRewritesCredentials) {
  server_.client_id_after_put = "11111111-2222-3333-4444-555555555555";
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  auto credentials = files_.LoadCredentials();
  ASSERT_TRUE(credentials) << credentials.error().ToString();
  EXPECT_EQ(credentials->client_id, "11111111-2222-3333-4444-555555555555");
}

TEST_F(RotationTest, LogsFingerprintsButNoKeyMaterial) {
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_TRUE(env_.log.Contains(rotated->old_fingerprint));
  EXPECT_TRUE(env_.log.Contains(rotated->new_fingerprint));
  const std::string log = env_.log.AllText();
  for (const jose::RsaKey* key : {&TestKey(), static_cast<const jose::RsaKey*>(&*disk)}) {
    EXPECT_EQ(log.find(Modulus(*key)), std::string::npos);
    EXPECT_EQ(log.find(jose::Base64Encode(key->Components().d)), std::string::npos);
  }
}

TEST_F(RotationTest, RefusedPutPutsTheOldKeyBackAndKeepsTheCode) {
  server_.put_fault = PutFault::kRefuse;
  server_.put_status = 403;
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(rotated.error().retryable);
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(Modulus(*disk), Modulus(TestKey()));
  EXPECT_TRUE(server_.Holds(TestKey()));
  EXPECT_FALSE(HasJournal());
  ASSERT_EQ(server_.requests().size(), 3U);  // GET, PUT, GET to see what the server holds
  EXPECT_EQ(server_.requests()[2].method, "GET");
}

TEST_F(RotationTest, LostPutAnswerCountsWhenTheServerHoldsTheNewKey) {
  server_.put_fault = PutFault::kApplyThenLose;
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(server_.Holds(TestKey()));
  EXPECT_FALSE(HasJournal());
  EXPECT_EQ(server_.requests().size(), 3U);
}

TEST_F(RotationTest, UnavailablePutWithTheOldKeyOnTheServerIsRetryable) {
  server_.put_fault = PutFault::kRefuse;
  server_.put_status = 503;
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(rotated.error().retryable);
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(Modulus(*disk), Modulus(TestKey()));
  EXPECT_TRUE(server_.Holds(TestKey()));
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, ThrottledPutBecomesUnavailable) {
  server_.put_fault = PutFault::kRefuse;
  server_.put_status = 429;
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, UnknownOutcomeKeepsTheOldKeyOnDiskAndTheNewOneInTheJournal) {
  server_.put_fault = PutFault::kApplyThenLose;  // the server took it ...
  server_.gets_fail_after_put = true;            // ... but cannot be asked
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kUnavailable);
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(Modulus(*disk), Modulus(TestKey()));
  auto next = files_.LoadKeyFile(next_path());
  ASSERT_TRUE(next) << "the new key must survive: the server may hold it";
  EXPECT_TRUE(server_.Holds(*next));

  server_.Heal();
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, UnknownOutcomeOfAnUnappliedPutRepairsToTheOldKey) {
  server_.put_fault = PutFault::kDropUnapplied;
  server_.gets_fail_after_put = true;
  ASSERT_FALSE(RotateKey(client(), files_, env_.env));
  server_.Heal();
  ASSERT_TRUE(FinishInterruptedRotation(client(), files_, env_.env));
  EXPECT_TRUE(server_.Holds(TestKey()));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, ThirdKeyOnTheServerAfterAFailedPutIsAlreadyExists) {
  server_.put_fault = PutFault::kRefuse;
  server_.put_status = 409;
  server_.held_after_refusal = &OtherKey();
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kAlreadyExists);
  auto disk = DiskKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(Modulus(*disk), Modulus(TestKey()));  // as before the rotation
  EXPECT_FALSE(HasJournal());
}

TEST_F(RotationTest, AgentWithAnotherKeyIsNotTouched) {
  server_.Hold(OtherKey());
  const auto before = Snapshot();
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(rotated.error().advice.empty());
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(server_.requests().size(), 1U);
  EXPECT_TRUE(server_.Holds(OtherKey()));
}

TEST_F(RotationTest, UnreachableServerChangesNothing) {
  server_.down = true;
  const auto before = Snapshot();
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RotationTest, UnregisteredRootIsRefusedWithoutARequest) {
  ASSERT_TRUE(mem_.Remove(files_.settings_path()));
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(rotated.error().advice.empty());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RotationTest, RotationAfterACrashStartsFromTheRegisteredKey) {
  LeaveCrashAfterNewKey(OtherKey(), TestKey());  // server holds TestKey
  auto rotated = RotateKey(client(), files_, env_.env);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  EXPECT_EQ(rotated->old_fingerprint, KeyFingerprint(TestKey()));
  EXPECT_NE(rotated->new_fingerprint, KeyFingerprint(OtherKey()));
  EXPECT_TRUE(DiskMatchesServer());
  EXPECT_FALSE(HasJournal());
  EXPECT_EQ(server_.requests().size(), 3U);  // GET (repair), GET, PUT
}

TEST(KeyFingerprint, IsEightHexCharactersOfTheModulusHash) {
  const std::string fingerprint = KeyFingerprint(TestKey());
  const jose::Bytes modulus = TestKey().Components().n;
  EXPECT_EQ(fingerprint, jose::Sha256Hex(std::string(modulus.begin(), modulus.end())).substr(0, 8));
  EXPECT_NE(fingerprint, KeyFingerprint(OtherKey()));
}

}  // namespace
}  // namespace agentboot::agent::testing

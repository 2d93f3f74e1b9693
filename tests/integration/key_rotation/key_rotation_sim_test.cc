// RotateKey against the simulator over loopback: once it returns, the server refuses a client
// assertion signed with the old key and issues a token for the new one (agent-contract §3).
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/sim.h"

namespace agentboot::agent {
namespace {

class KeyRotationSim : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "keyrotation-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    sim::SimConfig config;
    config.state_dir = dir_ + "/state";
    config.quiet = true;
    auto started = sim::Simulator::Start(config);
    ASSERT_TRUE(started) << started.error().ToString();
    sim_ = std::move(*started);
    vars_.Set("AZURE_POD_IDENTITY_AUTHORITY_HOST", sim_->HttpBaseUrl());

    transport_ = http::MakeCurlTransport({});
    tokens_ = identity::MakeImdsSource({}, identity::Deps{env_, *transport_}, false);
    devops::ClientOptions options;
    options.organization_url = Org();
    client_ = std::make_unique<devops::Client>(options, *transport_, *tokens_, env_);
    files_ = std::make_unique<AgentFiles>(PosixFileSystem(), dir_ + "/agent");
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Org() const { return sim_->HttpBaseUrl() + "/sim"; }

  RegisterOptions Options() const {
    RegisterOptions options;
    options.server_url = Org();
    options.agent_name = "rotating-host";
    options.agent_version = "4.260.0";
    options.host_name = "rotating-host";
    return options;
  }

  // The listener's token request: a client assertion signed with `key`, posted as a form to the
  // agent's OAuth endpoint from .credentials.
  http::Response ExchangeAssertion(const jose::RsaKey& key) {
    auto credentials = files_->LoadCredentials();
    EXPECT_TRUE(credentials) << credentials.error().ToString();
    if (!credentials) return {};
    auto assertion = BuildJwtAssertion(*credentials, key, ToUnixSeconds(SystemClock().Now()),
                                       NewGuid(SystemRandom()));
    EXPECT_TRUE(assertion) << assertion.error().ToString();
    http::Request request;
    request.method = "POST";
    request.url = credentials->oauth_endpoint_url;
    request.headers = {{"Accept", "application/json"},
                       {"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = "grant_type=client_credentials&client_assertion_type=" +
                   UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                   "&client_assertion=" + UrlEncode(assertion.value_or(""));
    auto response = transport_->Send(request);
    EXPECT_TRUE(response) << response.error().ToString();
    return response.value_or(http::Response{});
  }

  static nlohmann::json Json(const http::Response& response) {
    return nlohmann::json::parse(response.body, nullptr, false);
  }

  std::string dir_;
  std::unique_ptr<sim::Simulator> sim_;
  agentboot::testing::FakeEnvironment vars_;
  agentboot::testing::RecordingLogger log_;
  Env env_{SystemClock(), PosixFileSystem(), vars_, log_, SystemRandom(), PosixProcessRunner()};
  std::unique_ptr<http::Transport> transport_;
  std::unique_ptr<identity::TokenSource> tokens_;
  std::unique_ptr<devops::Client> client_;
  std::unique_ptr<AgentFiles> files_;
};

TEST_F(KeyRotationSim, OldKeyIsRefusedAndNewKeyGetsATokenAfterRotation) {
  auto registered = Register(*client_, *files_, env_, Options());
  ASSERT_TRUE(registered) << registered.error().ToString();
  auto old_key = files_->LoadKey();
  ASSERT_TRUE(old_key) << old_key.error().ToString();
  ASSERT_EQ(ExchangeAssertion(*old_key).status, 200);

  auto rotated = RotateKey(*client_, *files_, env_);
  ASSERT_TRUE(rotated) << rotated.error().ToString();
  auto new_key = files_->LoadKey();
  ASSERT_TRUE(new_key) << new_key.error().ToString();
  EXPECT_EQ(rotated->agent_id, registered->agent_id);
  EXPECT_EQ(rotated->old_fingerprint, KeyFingerprint(*old_key));
  EXPECT_EQ(rotated->new_fingerprint, KeyFingerprint(*new_key));
  EXPECT_NE(rotated->old_fingerprint, rotated->new_fingerprint);
  EXPECT_FALSE(files_->HasRotationJournal());

  const http::Response refused = ExchangeAssertion(*old_key);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Json(refused).value("error", ""), "invalid_client");
  const http::Response accepted = ExchangeAssertion(*new_key);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_FALSE(Json(accepted).value("access_token", "").empty());

  // `agentboot run` registers again at start: the rotated key is what the server holds.
  auto again = Register(*client_, *files_, env_, Options());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->outcome, RegisterOutcome::kUnchanged);
}

TEST_F(KeyRotationSim, RegisterRepairsARotationInterruptedBeforeItsPut) {
  auto registered = Register(*client_, *files_, env_, Options());
  ASSERT_TRUE(registered) << registered.error().ToString();
  auto old_key = files_->LoadKey();
  ASSERT_TRUE(old_key);
  // What a kill -9 between writing the new key and the PUT leaves.
  auto unregistered = jose::RsaKey::Generate(2048);
  ASSERT_TRUE(unregistered);
  ASSERT_TRUE(files_->WriteKeyFile(files_->previous_key_path(), *old_key));
  ASSERT_TRUE(files_->WriteKey(*unregistered));
  EXPECT_EQ(ExchangeAssertion(*unregistered).status, 400);

  auto again = Register(*client_, *files_, env_, Options());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->outcome, RegisterOutcome::kUnchanged);
  EXPECT_FALSE(files_->HasRotationJournal());
  auto disk = files_->LoadKey();
  ASSERT_TRUE(disk);
  EXPECT_EQ(KeyFingerprint(*disk), KeyFingerprint(*old_key));
  EXPECT_EQ(ExchangeAssertion(*disk).status, 200);
}

}  // namespace
}  // namespace agentboot::agent

#include "rotation_fixture.h"

#include <cstdlib>

#include "test_key.h"

namespace agentboot::agent::testing {
namespace {

// Hands out one fixed token: the fake server does not check it.
class StaticTokenSource final : public identity::TokenSource {
 public:
  std::string_view Name() const override { return "static"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest&) override {
    identity::AccessToken token;
    token.token = Secret("token");
    token.expires_on = FromUnixSeconds(1'900'000'000);
    token.source = "static";
    return token;
  }
};

std::string Route(const std::string& suffix) {
  return std::string(kOrg) + "/_apis/distributedtask/pools" + suffix;
}

http::Response JsonAnswer(int status, const nlohmann::json& body) {
  return http::Response{status, {{"Content-Type", "application/json"}}, body.dump()};
}

Result<http::Response> Refused() {
  return Fail(ErrorCode::kUnavailable, "connect", "connection refused");
}

}  // namespace

const jose::RsaKey& OtherKey() {
  static const jose::RsaKey key = [] {
    auto generated = jose::RsaKey::Generate(2048);
    if (!generated) std::abort();
    return std::move(*generated);
  }();
  return key;
}

bool CrashSwitch::Spend() {
  if (remaining_ && *remaining_ == 0) return false;
  if (remaining_) --*remaining_;
  ++spent_;
  return true;
}

Status CrashingFileSystem::WriteFileAtomic(const std::string& path, std::string_view content,
                                           uint32_t mode) {
  if (!crash_.Spend()) return Fail(ErrorCode::kInternal, "write " + path, "crashed");
  return inner_.WriteFileAtomic(path, content, mode);
}

Status CrashingFileSystem::WriteFileAtomicOwned(const std::string& path, std::string_view content,
                                                uint32_t mode, FileOwner owner) {
  if (!crash_.Spend()) return Fail(ErrorCode::kInternal, "write " + path, "crashed");
  return inner_.WriteFileAtomicOwned(path, content, mode, owner);
}

Status CrashingFileSystem::ChownNoFollow(const std::string& dir, const std::string& name,
                                         FileOwner owner, std::optional<uint32_t> mode) {
  if (!crash_.Spend()) return Fail(ErrorCode::kInternal, "chown " + dir + "/" + name, "crashed");
  return inner_.ChownNoFollow(dir, name, owner, mode);
}

Status CrashingFileSystem::Remove(const std::string& path) {
  if (!crash_.Spend()) return Fail(ErrorCode::kInternal, "remove " + path, "crashed");
  return inner_.Remove(path);
}

Status CrashingFileSystem::CreateDirectories(const std::string& path, uint32_t mode) {
  if (!crash_.Spend()) return Fail(ErrorCode::kInternal, "mkdir " + path, "crashed");
  return inner_.CreateDirectories(path, mode);
}

FakeAgentServer::FakeAgentServer(const jose::RsaKey& key, CrashSwitch& crash) : crash_(crash) {
  agent_ = {{"id", kAgentId},
            {"name", "host-1"},
            {"version", "4.260.0"},
            {"osDescription", "Linux"},
            {"enabled", false},  // the caller disabled it before rotating
            {"status", "offline"},
            {"maxParallelism", 1},
            {"provisioningState", "Provisioned"},
            {"authorization",
             {{"clientId", "c-1"}, {"authorizationUrl", "https://vstoken/org/oauth2/token"}}},
            {"systemCapabilities", {{"agentboot", "true"}, {"Agent.Name", "host-1"}}}};
  Hold(key);
}

void FakeAgentServer::Hold(const jose::RsaKey& key) {
  agent_["authorization"]["publicKey"] = PublicKeyJson(key);
}

bool FakeAgentServer::Holds(const jose::RsaKey& key) const {
  return !deleted_ && agent_["authorization"]["publicKey"] == PublicKeyJson(key);
}

void FakeAgentServer::Heal() {
  put_fault = PutFault::kNone;
  gets_fail_after_put = false;
  down = false;
}

Result<http::Response> FakeAgentServer::Send(const http::Request& request) {
  requests_.push_back(request);
  if (!crash_.Spend() || down) return Refused();
  return Answer(request);
}

Result<http::Response> FakeAgentServer::Answer(const http::Request& request) {
  const std::string agent_url =
      Route("/" + std::to_string(kPoolId) + "/agents/" + std::to_string(kAgentId));
  const nlohmann::json missing = {{"message", "Agent not found."},
                                  {"typeKey", "TaskAgentNotFoundException"}};
  if (request.method == "GET" && put_seen_ && gets_fail_after_put) return Refused();
  if (request.method == "GET" && request.url == Route("?poolName=Default&poolType=Automation")) {
    return JsonAnswer(200, {{"count", 1}, {"value", {{{"id", kPoolId}, {"name", "Default"}}}}});
  }
  if (request.method == "GET" && StartsWith(request.url, Route("/7/agents?agentName=host-1"))) {
    nlohmann::json value = nlohmann::json::array();
    if (!deleted_) value.push_back(agent_);
    return JsonAnswer(200, {{"count", value.size()}, {"value", value}});
  }
  if (request.method == "GET" && StartsWith(request.url, agent_url + "?")) {
    if (deleted_) return JsonAnswer(404, missing);
    if (!gets_omit_authorization) return JsonAnswer(200, agent_);
    nlohmann::json keyless = agent_;
    keyless["authorization"] = {{"clientId", agent_["authorization"].value("clientId", "")}};
    return JsonAnswer(200, keyless);
  }
  if (request.method == "PUT" && request.url == agent_url) {
    put_seen_ = true;
    if (put_fault == PutFault::kDropUnapplied) return Refused();
    if (put_fault == PutFault::kRefuse) {
      if (held_after_refusal != nullptr) Hold(*held_after_refusal);
      nlohmann::json refusal = {{"message", "refused"}};
      if (put_status == 403) refusal["typeKey"] = "AccessDeniedException";
      return JsonAnswer(put_status, refusal);
    }
    if (deleted_) return JsonAnswer(404, missing);
    const nlohmann::json body = nlohmann::json::parse(request.body);
    agent_["authorization"]["publicKey"] = body["authorization"]["publicKey"];
    if (!client_id_after_put.empty()) agent_["authorization"]["clientId"] = client_id_after_put;
    if (put_fault == PutFault::kApplyThenLose) return Refused();
    return JsonAnswer(200, agent_);
  }
  return JsonAnswer(404, {{"message", "no route"}});
}

RotationWorld::RotationWorld()
    : server_(TestKey(), crash_), tokens_(std::make_unique<StaticTokenSource>()) {
  AgentSettings settings;
  settings.agent_id = kAgentId;
  settings.agent_name = "host-1";
  settings.pool_id = kPoolId;
  settings.pool_name = "Default";
  settings.server_url = kOrg;
  settings.work_folder = "_work";
  EXPECT_TRUE(files_.WriteSettings(settings));
  EXPECT_TRUE(files_.WriteCredentials(
      {"c-1", "https://vstoken/org/oauth2/token", "https://vstoken/org/oauth2/token"}));
  EXPECT_TRUE(files_.WriteKey(TestKey()));
}

devops::Client& RotationWorld::client() {
  if (!client_) {
    devops::ClientOptions options;
    options.organization_url = kOrg;
    options.backoff.max_attempts = 1;  // one request per call: exact request lists
    client_ = std::make_unique<devops::Client>(options, server_, *tokens_, env_.env);
  }
  return *client_;
}

bool RotationWorld::DiskMatchesServer() {
  auto key = DiskKey();
  return key && server_.Holds(*key);
}

void RotationWorld::LeaveCrashAfterNewKey(const jose::RsaKey& unregistered,
                                          const jose::RsaKey& journaled) {
  ASSERT_TRUE(files_.WriteKeyFile(files_.previous_key_path(), journaled));
  ASSERT_TRUE(files_.WriteKey(unregistered));
}

std::map<std::string, std::string> RotationWorld::Snapshot() {
  std::map<std::string, std::string> files;
  auto names = mem_.ListDirectory(kRoot);
  if (!names) return files;
  for (const std::string& name : *names) {
    const std::string path = std::string(kRoot) + "/" + name;
    files[path] = mem_.ReadFile(path).value_or("");
  }
  return files;
}

}  // namespace agentboot::agent::testing

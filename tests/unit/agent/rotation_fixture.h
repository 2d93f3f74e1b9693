// Shared set-up for the key rotation tests: a configured agent root in a MemFileSystem, a fake
// Azure DevOps that holds one agent's registered public key, and a crash switch that makes every
// later write, removal and request fail, as if the process had died at that point.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"
#include "agentboot/devops.h"

namespace agentboot::agent::testing {

inline constexpr char kOrg[] = "https://dev.azure.com/org";
inline constexpr char kRoot[] = "/agent";
inline constexpr int kPoolId = 7;
inline constexpr int kAgentId = 12;

// After `Arm(n)`, n more side effects succeed; every one after that fails. Unarmed: no limit.
class CrashSwitch {
 public:
  void Arm(int side_effects) { remaining_ = side_effects; }
  void Disarm() { remaining_.reset(); }
  bool Spend();  // false once crashed
  int spent() const { return spent_; }

 private:
  std::optional<int> remaining_;
  int spent_ = 0;
};

// MemFileSystem whose writes and removals go through a CrashSwitch. Reads always work.
class CrashingFileSystem final : public ForwardingFileSystem {
 public:
  CrashingFileSystem(FileSystem& inner, CrashSwitch& crash)
      : ForwardingFileSystem(inner), inner_(inner), crash_(crash) {}
  Status WriteFileAtomic(const std::string& path, std::string_view content, uint32_t mode) override;
  Status WriteFileAtomicOwned(const std::string& path, std::string_view content, uint32_t mode,
                              FileOwner owner) override;
  Status ChownNoFollow(const std::string& dir, const std::string& name, FileOwner owner,
                       std::optional<uint32_t> mode) override;
  Status Remove(const std::string& path) override;
  Status CreateDirectories(const std::string& path, uint32_t mode) override;

 private:
  FileSystem& inner_;
  CrashSwitch& crash_;
};

// How the fake server treats a PUT of the agent.
enum class PutFault {
  kNone,           // applied, 200 with the agent
  kRefuse,         // answered with put_status, not applied
  kApplyThenLose,  // applied, then the connection drops (transport failure)
  kDropUnapplied,  // the connection drops before the server sees it
};

// Azure DevOps with pool `Default` (kPoolId) holding agent `host-1` (kAgentId): answers the pool
// lookup, the agent lookup by name, GET and PUT of the agent. Every request spends the crash
// switch; once crashed (or while down) it fails like a refused connection.
class FakeAgentServer final : public http::Transport {
 public:
  FakeAgentServer(const jose::RsaKey& key, CrashSwitch& crash);
  Result<http::Response> Send(const http::Request& request) override;

  void Hold(const jose::RsaKey& key);  // the registered public key
  bool Holds(const jose::RsaKey& key) const;
  void DeleteAgent() { deleted_ = true; }
  void Heal();  // no faults from now on

  PutFault put_fault = PutFault::kNone;
  int put_status = 503;
  const jose::RsaKey* held_after_refusal = nullptr;  // someone else's PUT won the race
  bool gets_fail_after_put = false;                  // GETs after the first PUT: refused connection
  bool down = false;
  // GET answers carry no publicKey/authorizationUrl (agent-audit D4: unknown whether the
  // service sends them).
  bool gets_omit_authorization = false;
  // A PUT assigns this OAuth clientId (agent-audit D7: "STS will generate clientId associated
  // with the public key"), when not empty.
  std::string client_id_after_put;

  const std::vector<http::Request>& requests() const { return requests_; }
  nlohmann::json agent() const { return agent_; }

 private:
  Result<http::Response> Answer(const http::Request& request);

  CrashSwitch& crash_;
  nlohmann::json agent_;
  bool deleted_ = false;
  bool put_seen_ = false;
  std::vector<http::Request> requests_;
};

// One agent root and its server. Plain (not a gtest fixture) so a test can build several.
class RotationWorld {
 public:
  RotationWorld();
  RotationWorld(const RotationWorld&) = delete;
  RotationWorld& operator=(const RotationWorld&) = delete;
  virtual ~RotationWorld() = default;

  devops::Client& client();
  // The key in .credentials_rsaparams, or a failure.
  Result<jose::RsaKey> DiskKey() { return files_.LoadKeyFile(files_.rsa_params_path()); }
  bool DiskMatchesServer();
  bool HasJournal() { return mem_.Exists(files_.previous_key_path()) || mem_.Exists(next_path()); }
  std::string next_path() const { return files_.next_key_path(); }
  // Writes a (new, unregistered) key as .credentials_rsaparams and `journaled` as .previous:
  // what a crash right after RotateKey's step 3 leaves.
  void LeaveCrashAfterNewKey(const jose::RsaKey& unregistered, const jose::RsaKey& journaled);
  // The whole directory's content, to prove nothing changed.
  std::map<std::string, std::string> Snapshot();

  agentboot::testing::FakeEnv env_;
  agentboot::testing::MemFileSystem& mem_ = env_.fs;
  CrashSwitch crash_;
  CrashingFileSystem fs_{mem_, crash_};
  AgentFiles files_{fs_, kRoot};
  FakeAgentServer server_;
  std::unique_ptr<identity::TokenSource> tokens_;
  std::unique_ptr<devops::Client> client_;
};

class RotationTest : public ::testing::Test, public RotationWorld {};

// A second, fixed key (the agent tests' TestKey is the first): generation is slow.
const jose::RsaKey& OtherKey();

}  // namespace agentboot::agent::testing

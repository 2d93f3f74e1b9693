// agentboot::agent, the agent's files: `.agent`, `.credentials`,
// `.credentials_rsaparams`, the agent's client assertion and AgentFiles.
// Part of agentboot/agent.h, the module's public header: include that one.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::agent {

// `.agent` (class AgentSettings). Written with default values omitted (EmitDefaultValue=false):
// 0, false and "" never appear. Keys are camelCase in the agent's declaration order.

struct AgentSettings {
  bool accept_tee_eula = false;  // acceptTeeEula
  int agent_id = 0;              // agentId (required on read)
  std::string agent_name;        // agentName
  bool skip_capabilities_scan = false;
  bool skip_session_recover = false;
  bool disable_log_uploads = false;
  int pool_id = 0;          // poolId (required on read)
  std::string pool_name;    // poolName
  std::string server_url;   // serverUrl (required on read)
  std::string work_folder;  // workFolder (required on read: the listener asserts it)
  bool debug_mode = false;  // debugMode
};

// UTF-8 BOM + 2-space indented JSON, "\n" line ends, no trailing newline.
std::string SerializeSettings(const AgentSettings& settings);
// BOM optional. Key lookup is exact first, then case-insensitive (as Newtonsoft reads); unknown
// keys are ignored. kInvalidArgument when the JSON is malformed, a field has the wrong type, or
// agentId, poolId, serverUrl or workFolder is missing or empty.
[[nodiscard]] Result<AgentSettings> ParseSettings(std::string_view text);

// `.credentials` (class CredentialData, scheme "OAuth").

struct CredentialData {
  std::string client_id;           // data.clientId (GUID, D format)
  std::string authorization_url;   // data.authorizationUrl: the assertion's `aud`
  std::string oauth_endpoint_url;  // data.oauthEndpointUrl: where tokens are requested
};

// {"scheme":"OAuth","data":{"clientId","authorizationUrl","oauthEndpointUrl"}}, BOM, indented.
std::string SerializeCredentials(const CredentialData& credentials);
// BOM optional; scheme and data keys are matched case-insensitively. kInvalidArgument unless the
// scheme is OAuth and clientId and authorizationUrl are non-empty. A missing oauthEndpointUrl
// defaults to authorizationUrl, as OAuthCredential does.
[[nodiscard]] Result<CredentialData> ParseCredentials(std::string_view text);

// `.credentials_rsaparams` (RSAParametersSerializable): .NET RSAParameters as standard base64
// (with padding) of big-endian bytes. .NET's ImportParameters demands fixed widths: d as long as
// the modulus, p, q, dp, dq and inverseQ exactly (modulus length + 1) / 2 bytes.

struct RsaParams {
  std::string container_name;  // "ContainerName", "" on Linux
  bool use_cng = false;        // "UseCng"
  jose::Bytes d, dp, dq, exponent, inverse_q, modulus, p, q;
};

// `value` with leading zero bytes added (or redundant ones removed) to exactly `width` bytes.
// kInvalidArgument when the number needs more than `width` bytes.
[[nodiscard]] Result<jose::Bytes> PadBigEndian(const jose::Bytes& value, size_t width);

// The padded parameters of a private key. kInvalidArgument for a public key or one < 2048 bits.
[[nodiscard]] Result<RsaParams> RsaParamsFromKey(const jose::RsaKey& key);
// Validates the widths and the 2048-bit minimum like the agent, then builds and checks the key.
[[nodiscard]] Result<jose::RsaKey> KeyFromRsaParams(const RsaParams& params);

// Keys in the order ContainerName, UseCng, d, dp, dq, exponent, inverseQ, modulus, p, q; BOM,
// indented. Does not validate (tests write deliberately odd values).
Secret SerializeRsaParams(const RsaParams& params);
// BOM optional. The eight key-material names are case-sensitive and required; ContainerName and
// UseCng are optional. Also enforces the widths and the 2048-bit minimum. kInvalidArgument
// otherwise; the error never contains key material.
[[nodiscard]] Result<RsaParams> ParseRsaParams(std::string_view text);

// The TaskAgentPublicKey sent to the server: {"exponent": base64, "modulus": base64}.
nlohmann::json PublicKeyJson(const jose::RsaKey& key);

// The agent's client assertion (agent-contract §3): header {"typ":"JWT","alg":"RS256"}; claims
// sub = iss = clientId, jti, aud = authorizationUrl, nbf = now, exp = now + 300, no iat (claim
// order as the .NET client writes it: sub, jti, iss, aud, nbf, exp). kInvalidArgument when
// clientId, authorizationUrl or jti is empty or the key has no private part.
[[nodiscard]] Result<std::string> BuildJwtAssertion(const CredentialData& credentials,
                                                    const jose::RsaKey& key, int64_t now,
                                                    std::string jti);
inline constexpr int64_t kAssertionLifetimeSeconds = 300;

// AgentFiles: the three files in an agent root (the parent of bin/). Every write goes through
// FileSystem::WriteFileAtomic with mode 0600. `fs` must outlive this object. Does no I/O in the
// constructor.

class AgentFiles {
 public:
  AgentFiles(FileSystem& fs, std::string root);

  const std::string& root() const noexcept { return root_; }
  std::string settings_path() const;     // <root>/.agent
  std::string credentials_path() const;  // <root>/.credentials
  std::string rsa_params_path() const;   // <root>/.credentials_rsaparams
  // The key rotation journal (see RotateKey).
  std::string previous_key_path() const;  // <root>/.credentials_rsaparams.previous
  std::string next_key_path() const;      // <root>/.credentials_rsaparams.next

  // kInvalidArgument for a key that cannot be written (public, < 2048 bits); else the fs error.
  [[nodiscard]] Status WriteKey(const jose::RsaKey& key);
  [[nodiscard]] Status WriteCredentials(const CredentialData& credentials);
  [[nodiscard]] Status WriteSettings(const AgentSettings& settings);

  // kNotFound when the file is absent; kInvalidArgument when it does not parse.
  [[nodiscard]] Result<jose::RsaKey> LoadKey();
  [[nodiscard]] Result<CredentialData> LoadCredentials();
  [[nodiscard]] Result<AgentSettings> LoadSettings();

  // The existing key when .credentials_rsaparams exists (the agent reuses it, agent-contract §1
  // step 5), else a new 2048-bit key, written before it is returned.
  // The stored key; without one, `make` (default RsaKey::Generate(2048)) makes it and it is
  // written before it is returned.
  [[nodiscard]] Result<jose::RsaKey> LoadOrCreateKey(
      const std::function<Result<jose::RsaKey>()>& make = {});

  // The same for any of the three key paths above (the journal's files have the key's format).
  [[nodiscard]] Status WriteKeyFile(const std::string& path, const jose::RsaKey& key);
  [[nodiscard]] Result<jose::RsaKey> LoadKeyFile(const std::string& path);
  // True when either journal file exists: a key rotation was interrupted.
  bool HasRotationJournal();
  // Removes .credentials_rsaparams.next, then .credentials_rsaparams.previous.
  [[nodiscard]] Status RemoveRotationJournal();

  // Removes .credentials, .credentials_rsaparams, the rotation journal, then .agent (the agent's
  // `remove` order), so an interrupted removal still leaves the agent "configured" and
  // retryable. Missing files are fine.
  [[nodiscard]] Status RemoveAll();
  // True when .agent exists (the agent's own test).
  bool IsConfigured();

  FileSystem& fs() const { return fs_; }

 private:
  FileSystem& fs_;
  std::string root_;
};

// Gives the three files that exist to uid:gid through FileSystem::ChownNoFollow (descriptors,
// no symlink followed). Missing files are skipped; a symlink or non-regular file is refused
// (kInvalidArgument) and its target left untouched; else kPermissionDenied or kInternal.
[[nodiscard]] Status ChownAgentFiles(const AgentFiles& files, uint32_t uid, uint32_t gid);

// True for "<one of agentboot's files in the root>.tmp.XXXXXX": the temp file of an atomic write
// that a crash (kill -9, power loss) left behind. It may hold a private key.
bool IsStaleAgentTempFile(std::string_view name);
// Removes every such file from the agent root; returns how many. Call only while no other
// agentboot writes there (under the run lock, or when none holds it). A missing root is fine.
[[nodiscard]] Result<int> SweepStaleTempFiles(const AgentFiles& files);

}  // namespace agentboot::agent

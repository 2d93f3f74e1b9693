// agentboot::agent — what agentboot knows about the official Agent.Listener's files: `.agent`,
// `.credentials` and `.credentials_rsaparams` (agent-contract §2), written byte-for-byte as the
// .NET agent writes them and parsed as strictly as it reads them, plus the agent's OAuth client
// assertion (agent-contract §3).
//
// Serialisers and parsers are pure functions and thread-safe. AgentFiles reaches the disk only
// through the FileSystem seam and is as thread-safe as that seam.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/devops.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::agent {

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// The agent's client assertion (agent-contract §3): header {"typ":"JWT","alg":"RS256"}; claims
// sub = iss = clientId, jti, aud = authorizationUrl, nbf = now, exp = now + 300, no iat (claim
// order as the .NET client writes it: sub, jti, iss, aud, nbf, exp). kInvalidArgument when
// clientId, authorizationUrl or jti is empty or the key has no private part.
[[nodiscard]] Result<std::string> BuildJwtAssertion(const CredentialData& credentials,
                                                    const jose::RsaKey& key, int64_t now,
                                                    std::string jti);
inline constexpr int64_t kAssertionLifetimeSeconds = 300;

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Registration (the native registrar): the REST calls of `config.sh` with an Entra token, in an
// order that survives a crash at any point (agent-contract §1):
//   1. the key is written to .credentials_rsaparams before any server call (reused when present),
//   2. the pool is resolved by name, the agent looked up by name,
//   3. POST (new), adopt (an agent with our public key: an earlier run crashed after its POST),
//      or PUT (--replace of an agent with another key),
//   4. .credentials, .capabilities, then .agent (the "configured" marker) are written.
// A rerun after a crash finds the key and the agent with that key, and finishes the files: never
// two agents for one host, never a registered key whose private half was lost. A configured agent
// first finishes an interrupted key rotation (FinishInterruptedRotation; no request without one).

// Capabilities that mark an agent as agentboot's (for later cleanup of orphans) and as a
// placeholder that no cleanup may ever delete.
inline constexpr std::string_view kOwnerCapability = "agentboot";
inline constexpr std::string_view kHostCapability = "agentboot.host";
inline constexpr std::string_view kPlaceholderCapability = "agentboot.placeholder";

struct RegisterOptions {
  std::string server_url;  // the organization URL, as the user gave it
  std::string pool = "Default";
  std::string agent_name;  // required
  std::string work_folder = "_work";
  bool replace = false;       // take over an agent of that name that has another key
  bool placeholder = false;   // offline template agent: no files, no listener, never cleaned up
  std::string agent_version;  // the version of the listener that will run (agent-contract §7)
  std::string host_name;      // the machine's name, for the ownership mark
  std::map<std::string, std::string> capabilities;  // --capability key=value
  // Makes the key when none is on disk (default: RsaKey::Generate(2048) at that moment). `run`
  // starts it early so a fresh registration's key is made while the token and the package are
  // fetched (KeyInAdvance).
  std::function<Result<jose::RsaKey>()> new_key;
};

// A 2048-bit key generated on its own thread from construction on. Take() waits for it the first
// time and generates a new one on any later call (a re-registration after the first). The
// destructor waits for a key that was never taken.
class KeyInAdvance {
 public:
  KeyInAdvance();
  Result<jose::RsaKey> Take();

 private:
  Mutex mu_;
  std::future<Result<jose::RsaKey>> pending_ GUARDED_BY(mu_);
};

enum class RegisterOutcome { kCreated, kUnchanged, kRecovered, kReplaced, kReregistered };
std::string_view RegisterOutcomeName(RegisterOutcome outcome);

struct Registration {
  RegisterOutcome outcome = RegisterOutcome::kCreated;
  int64_t pool_id = 0;
  std::string pool_name;
  int64_t agent_id = 0;
  std::string agent_name;
};

// The three steps above. Errors from the server keep their codes (kNotFound pool, kAlreadyExists
// without --replace, kUnauthenticated, kPermissionDenied, …) with advice; local files that belong
// to another registration give kAlreadyExists with advice to unregister first.
[[nodiscard]] Result<Registration> Register(devops::Client& client, AgentFiles& files, Env& env,
                                            const RegisterOptions& options);

struct Unregistration {
  bool deleted_on_server = false;  // false when the agent was already gone
  bool taken_over = false;  // the server's agent holds another key (--replace elsewhere): kept
  bool removed_local_files = false;
  int64_t agent_id = 0;
  std::string agent_name;
};

// Deletes this host's agent (from .agent) with a fresh token and removes the local credentials.
// Without local files, `pool` and `agent_name` name the agent to delete. A placeholder agent is
// never deleted by name unless `force`. An agent already gone counts as success. An agent of
// ours (from .agent) that the server shows with another public key was taken over by another
// host (`register --replace`): it is left alone and only the stale local files go.
[[nodiscard]] Result<Unregistration> Unregister(devops::Client& client, AgentFiles& files, Env& env,
                                                const std::string& pool,
                                                const std::string& agent_name, bool force);

// ---------------------------------------------------------------------------------------------
// Key rotation: a new RSA key for a registered agent, on the server and on disk.
// REQUIRES: the listener is stopped; the caller disables and drains the agent first, and starts
// the listener again afterwards. Crash-safe through a journal beside the key:
//   .credentials_rsaparams.previous  the key the server held when the rotation began
//   .credentials_rsaparams.next      only while the server's answer is unknown: the new key,
//                                    which the server may hold (the old one is then on disk)
// Whenever a journal exists, the server holds the key on disk or one of the journal's keys, so
// FinishInterruptedRotation can always put the registered key on disk. Key material is never
// logged: only KeyFingerprint.

struct KeyRotation {
  int64_t pool_id = 0;
  int64_t agent_id = 0;
  std::string agent_name;
  std::string old_fingerprint;  // KeyFingerprint of the key replaced
  std::string new_fingerprint;  // KeyFingerprint of the key now registered and on disk
};

// The first 8 lower-case hex characters of SHA-256 of the key's modulus bytes: names a key in logs.
std::string KeyFingerprint(const jose::RsaKey& key);

// Finishes an interrupted rotation first (see below), then:
//   1. loads .agent and the key, GETs the agent (it must hold that key),
//   2. writes the key to .credentials_rsaparams.previous,
//   3. writes a new 2048-bit key as .credentials_rsaparams,
//   4. PUTs the agent (as the server returned it) with the new public key,
//   5. removes the journal once the server holds the new key.
// When the PUT fails, a GET tells what the server holds: the new key counts as success; the old
// key (or a deleted agent, or another key) puts the old key back on disk and removes the journal;
// no answer puts the old key back but keeps both keys in the journal for the next repair.
// Errors: kNotFound without .agent (not registered) and kInvalidArgument for unreadable files,
// with nothing changed; kAlreadyExists when the server holds a key that is not ours; the server's
// errors, with transport failures, 5xx and throttling as kUnavailable (retryable: try later).
[[nodiscard]] Result<KeyRotation> RotateKey(devops::Client& client, AgentFiles& files, Env& env);

// Repairs what an interrupted RotateKey left. Without a journal: OK, no request. Otherwise GETs
// the agent and keeps whichever of the key on disk, .next and .previous the server holds (written
// as .credentials_rsaparams), then removes the journal. An agent deleted on the server keeps the
// key on disk (registration creates it again) and drops the journal. Errors: the GET's error when
// the server does not answer (nothing changed: retry later); kAlreadyExists when it holds none of
// these keys (nothing changed); kNotFound or kInvalidArgument when .agent is missing or unreadable.
[[nodiscard]] Status FinishInterruptedRotation(devops::Client& client, AgentFiles& files, Env& env);

// The listener's own version: `<root>/bin/Agent.Listener --version` (first line, trimmed), run
// with AGENT_DIAGLOGPATH pointing at a private temporary directory that is removed afterwards
// (every start of the real listener creates its diagnostics directory, agent-audit D5).
// kNotFound when there is no listener in <root>/bin; kPermissionDenied when the resolved
// listener or its directory is not this user's or is writable by group or others
// (security-review H1): nothing anyone else can change is ever run.
[[nodiscard]] Result<std::string> ListenerVersion(Env& env, const std::string& root);

// ---------------------------------------------------------------------------------------------
// The agent package (agent-contract §6): resolve it, download and verify it, unpack it into a
// versioned cache shared by every agent root of the host, and link an agent root to it.
//
// Cache layout (PackageOptions::cache_dir):
//   <version>/                     an unpacked package, published by one rename(2)
//   <version>/.agentboot-package   "version=<v>\nsha256=<hex>\n": written last, before the
//                                  rename; a directory without it is incomplete and replaced
//   downloads/<filename>[.part]    a tarball in flight; deleted once unpacked
//   .tmp-<version>-XXXXXX/         an unpack in progress (stale ones are swept under the lock)
//   .lock                          flock(2), held around download + unpack
// An agent root prepared from the cache holds bin.<v>/ and externals.<v>/ (hard-link trees of
// <cache>/<v>, copies across file systems), the relative links bin -> bin.<v> and externals ->
// externals.<v>, and the package's top-level files (config.sh, run.sh, …) as regular files: the
// listener's root is the parent of its resolved bin, so nothing may point into the cache
// (agent-audit D1). It is the self-updater's own layout; other versions are pruned.

// Set (non-empty) in the listener's environment, it ignores update messages (§4 Self-update).
inline constexpr std::string_view kDisableUpdateVariable = "agent.disableupdate";

struct PackageOptions {
  std::string platform = "linux-x64";
  std::string pinned_version;   // "x.y.z" (--agent-version); empty = newest
  std::string package_source;   // a local tarball path or an http(s) URL (--agent-package)
  std::string expected_sha256;  // optional check of package_source; hex, case and '-' ignored
  std::string cache_dir;        // required; see DefaultCacheDir
};

struct PreparedAgent {
  std::string version;      // what <root>/bin/Agent.Listener --version printed
  std::string package_dir;  // <cache>/<version>, or the agent root for a pre-baked agent
  std::string source;       // "prebaked", "cache", "download" or "local"
  uint64_t bytes_downloaded = 0;
  bool pinned = false;  // a version or package was chosen: run the listener with updates disabled
};

// $AGENTBOOT_CACHE_DIR; else /var/cache/agentboot for root; else $XDG_CACHE_HOME/agentboot or
// $HOME/.cache/agentboot; else /var/tmp/agentboot. Empty and relative values are skipped.
std::string DefaultCacheDir(const Environment& vars, bool is_root);

// The agent's hash comparison: case-insensitive, '-' separators ignored (§6). Empty never matches.
bool HashesEqual(std::string_view a, std::string_view b);

// {kDisableUpdateVariable: "true"} when pinned, else empty: merge into the listener's environment.
std::map<std::string, std::string> ListenerEnvironmentForPin(bool pinned);

// Makes <agent_root> runnable, in this order:
//   a) <root>/bin is a real directory holding Agent.Listener: a pre-baked agent, used as it is
//      (no network, nothing written);
//   b) pinned_version is complete in the cache: linked with no network at all;
//   c) package_source: a local file is hashed, a URL downloaded, then unpacked (unless a cached
//      package has that SHA-256) and cached under the version its listener reports;
//   d) else the packages API (exact version when pinned, else the newest) and, unless cached,
//      a download verified against hashValue. When the API is unreachable and nothing is pinned,
//      the newest complete cached version is used with a warning.
// Then the cached package is laid into the root (see the layout above; a real directory named
// bin/externals is never replaced: kAlreadyExists). The version is the cache marker's; only a
// pre-baked root's listener is asked (ListenerVersion), and only when it and its bin/ belong to
// this user and nobody else can write them (kPermissionDenied). .agent and .credentials* are
// never touched. Errors: kInvalidArgument (no cache_dir, unsafe version, `client` null when the
// API is needed), kNotFound (no package / file), kInternal (hash mismatch: nothing is cached),
// and the client's and downloader's errors. Safe to run concurrently in several processes and
// threads against one cache. `client` may be null; the seams must outlive the call.
[[nodiscard]] Result<PreparedAgent> PrepareAgent(devops::Client* client,
                                                 http::Downloader& downloader, Env& env,
                                                 const PackageOptions& options,
                                                 const std::string& agent_root);

// The fallback registrar (`--registrar agent`, and the only way on Windows): the agent's own
// `config.sh --unattended --auth pat` with a fresh Entra token passed as VSTS_AGENT_INPUT_TOKEN in
// the child's environment, never on its command line. kNotFound without <root>/config.sh.
// As root, AGENT_ALLOW_RUNASROOT=1 is set for it (config.sh refuses uid 0 otherwise).
[[nodiscard]] Status RegisterWithConfigScript(Env& env, identity::TokenSource& tokens,
                                              AgentFiles& files, const RegisterOptions& options);

// On the real disk, before RegisterWithConfigScript: <root>/config.sh must be a regular file (the
// script resolves its own symlinks and configures the directory it really lives in) owned by
// this user and not writable by group or others (agent-audit D8). OK when it is missing.
[[nodiscard]] Status CheckConfigScript(const std::string& root);

}  // namespace agentboot::agent

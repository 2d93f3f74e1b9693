#include "agentboot/agent.h"

namespace agentboot::agent {
namespace {

// Config files hold a private key and the agent's identity: owner-only, like the agent's
// `chmod 600` on .credentials_rsaparams (agent-contract §2).
constexpr uint32_t kFileMode = 0600;

std::string Join(const std::string& root, std::string_view name) { return JoinPath(root, name); }

Result<std::string> Read(FileSystem& fs, const std::string& path, const char* missing) {
  auto text = fs.ReadFile(path);
  if (!text && text.error().code == ErrorCode::kNotFound) {
    return Fail(ErrorCode::kNotFound, "read " + path, missing,
                "Register the agent first (agentboot register).");
  }
  return text;
}

template <typename T>
Result<T> WithPath(Result<T> result, const std::string& path) {
  if (!result) result.error().context += " (" + path + ")";
  return result;
}

}  // namespace

AgentFiles::AgentFiles(FileSystem& fs, std::string root) : fs_(fs), root_(std::move(root)) {}

std::string AgentFiles::settings_path() const { return Join(root_, ".agent"); }
std::string AgentFiles::credentials_path() const { return Join(root_, ".credentials"); }
std::string AgentFiles::rsa_params_path() const { return Join(root_, ".credentials_rsaparams"); }
std::string AgentFiles::previous_key_path() const {
  return Join(root_, ".credentials_rsaparams.previous");
}
std::string AgentFiles::next_key_path() const { return Join(root_, ".credentials_rsaparams.next"); }

Status AgentFiles::WriteKey(const jose::RsaKey& key) {
  return WriteKeyFile(rsa_params_path(), key);
}

Status AgentFiles::WriteKeyFile(const std::string& path, const jose::RsaKey& key) {
  auto params = RsaParamsFromKey(key);
  if (!params) return Fail(params.error());
  return fs_.WriteFileAtomic(path, SerializeRsaParams(*params).Reveal(), kFileMode);
}

Status AgentFiles::WriteCredentials(const CredentialData& credentials) {
  return fs_.WriteFileAtomic(credentials_path(), SerializeCredentials(credentials), kFileMode);
}

Status AgentFiles::WriteSettings(const AgentSettings& settings) {
  return fs_.WriteFileAtomic(settings_path(), SerializeSettings(settings), kFileMode);
}

Result<jose::RsaKey> AgentFiles::LoadKey() { return LoadKeyFile(rsa_params_path()); }

Result<jose::RsaKey> AgentFiles::LoadKeyFile(const std::string& path) {
  auto text = Read(fs_, path, "RSA key file was not found");
  if (!text) return Fail(text.error());
  auto params = ParseRsaParams(*text);
  if (!params) return Fail(WithPath(std::move(params), path).error());
  return WithPath(KeyFromRsaParams(*params), path);
}

Result<CredentialData> AgentFiles::LoadCredentials() {
  const std::string path = credentials_path();
  auto text = Read(fs_, path, "Credentials not stored. Must reconfigure.");
  if (!text) return Fail(text.error());
  return WithPath(ParseCredentials(*text), path);
}

Result<AgentSettings> AgentFiles::LoadSettings() {
  const std::string path = settings_path();
  auto text = Read(fs_, path, "the agent is not configured");
  if (!text) return Fail(text.error());
  return WithPath(ParseSettings(*text), path);
}

Result<jose::RsaKey> AgentFiles::LoadOrCreateKey(
    const std::function<Result<jose::RsaKey>()>& make) {
  if (fs_.Exists(rsa_params_path())) return LoadKey();
  auto key = make ? make() : jose::RsaKey::Generate(2048);
  if (!key) return Fail(key.error());
  if (auto written = WriteKey(*key); !written) return Fail(written.error());
  return key;
}

bool AgentFiles::HasRotationJournal() {
  return fs_.Exists(next_key_path()) || fs_.Exists(previous_key_path());
}

Status AgentFiles::RemoveRotationJournal() {
  for (const std::string& path : {next_key_path(), previous_key_path()}) {
    if (auto removed = fs_.Remove(path); !removed) return removed;
  }
  return {};
}

Status AgentFiles::RemoveAll() {
  for (const std::string& path : {credentials_path(), rsa_params_path()}) {
    if (auto removed = fs_.Remove(path); !removed) return removed;
  }
  if (HasRotationJournal()) {
    if (auto removed = RemoveRotationJournal(); !removed) return removed;
  }
  return fs_.Remove(settings_path());
}

bool AgentFiles::IsConfigured() { return fs_.Exists(settings_path()); }

Status ChownAgentFiles(const AgentFiles& files, uint32_t uid, uint32_t gid) {
  // By descriptor, never by path: a job that replaced one of them with a symlink gets an error,
  // and the link's target is left alone (security-review H2).
  std::string dir = files.root().empty() ? "." : files.root();
  while (dir.size() > 1 && EndsWith(dir, "/")) dir.pop_back();
  for (const char* name : {".agent", ".credentials", ".credentials_rsaparams"}) {
    auto owned = files.fs().ChownNoFollow(dir, name, FileOwner{uid, gid}, std::nullopt);
    if (!owned && owned.error().code != ErrorCode::kNotFound) return owned;
  }
  return {};
}

}  // namespace agentboot::agent

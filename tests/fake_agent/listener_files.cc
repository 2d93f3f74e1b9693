#include "listener_files.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace agentboot::fake_agent {
namespace {

using nlohmann::json;

Result<json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, path, "file not found");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (StartsWith(text, "\xEF\xBB\xBF")) text.erase(0, 3);  // File.ReadAllText drops a BOM
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, path,
                "Newtonsoft.Json.JsonReaderException: invalid JSON");
  }
  return parsed;
}

std::optional<std::string> StringField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<jose::Bytes> ByteField(const json& object, const char* name) {
  std::optional<std::string> text = StringField(object, name);
  if (!text) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                std::string("System.Runtime.Serialization.SerializationException: Member '") +
                    name + "' was not found.");
  }
  Result<std::string> bytes = jose::Base64Decode(*text);
  if (!bytes) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                std::string("System.FormatException: '") + name + "' is not valid base64.");
  }
  return jose::Bytes(bytes->begin(), bytes->end());
}

}  // namespace

Result<AgentSettings> ReadAgentSettings(const std::string& root) {
  Result<json> file = ReadJsonFile(root + "/.agent");
  if (!file) return Fail(file.error());
  AgentSettings settings;
  auto id = file->find("agentId");
  auto pool = file->find("poolId");
  if (id == file->end() || !id->is_number_integer() || pool == file->end() ||
      !pool->is_number_integer()) {
    return Fail(ErrorCode::kInvalidArgument, ".agent", "agentId and poolId are required");
  }
  settings.agent_id = id->get<int64_t>();
  settings.pool_id = pool->get<int64_t>();
  settings.agent_name = StringField(*file, "agentName").value_or("");
  settings.pool_name = StringField(*file, "poolName").value_or("");
  settings.server_url = StringField(*file, "serverUrl").value_or("");
  settings.work_folder = StringField(*file, "workFolder").value_or("");
  if (settings.server_url.empty()) {
    return Fail(ErrorCode::kInvalidArgument, ".agent", "serverUrl is required");
  }
  if (settings.work_folder.empty()) {
    // HostContext asserts a non-empty work folder (agent-contract §2).
    return Fail(ErrorCode::kInvalidArgument, ".agent", "ArgumentNullException: workFolder");
  }
  return settings;
}

Result<OAuthCredentials> ReadCredentials(const std::string& root) {
  Result<json> file = ReadJsonFile(root + "/.credentials");
  if (!file) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials",
                "Credentials not stored. Must reconfigure.");
  }
  std::optional<std::string> scheme = StringField(*file, "scheme");
  auto data = file->find("data");
  if (!scheme || !EqualsIgnoreCase(*scheme, "OAuth") || data == file->end() || !data->is_object()) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials", "expected scheme OAuth with data");
  }
  OAuthCredentials credentials;
  // CredentialData.Data is a case-insensitive dictionary.
  for (const auto& [key, value] : data->items()) {
    if (!value.is_string()) continue;
    if (EqualsIgnoreCase(key, "clientId")) credentials.client_id = value.get<std::string>();
    if (EqualsIgnoreCase(key, "authorizationUrl")) {
      credentials.authorization_url = value.get<std::string>();
    }
    if (EqualsIgnoreCase(key, "oauthEndpointUrl")) {
      credentials.oauth_endpoint_url = value.get<std::string>();
    }
  }
  if (credentials.client_id.empty() || credentials.authorization_url.empty()) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials",
                "clientId and authorizationUrl are required");
  }
  if (credentials.oauth_endpoint_url.empty()) {
    credentials.oauth_endpoint_url = credentials.authorization_url;
  }
  return credentials;
}

Result<jose::RsaKey> ReadRsaParams(const std::string& root) {
  Result<json> file = ReadJsonFile(root + "/.credentials_rsaparams");
  if (!file) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                "System.Security.Cryptography.CryptographicException: RSA key file " + root +
                    "/.credentials_rsaparams was not found");
  }
  jose::RsaComponents c;
  const std::pair<const char*, jose::Bytes*> fields[] = {
      {"d", &c.d},         {"dp", &c.dp},     {"dq", &c.dq}, {"exponent", &c.e},
      {"inverseQ", &c.qi}, {"modulus", &c.n}, {"p", &c.p},   {"q", &c.q}};
  for (const auto& [name, target] : fields) {
    Result<jose::Bytes> bytes = ByteField(*file, name);
    if (!bytes) return Fail(bytes.error());
    *target = std::move(*bytes);
  }
  // RSACryptoServiceProvider.ImportParameters on Unix (agent-contract §2).
  const size_t half = (c.n.size() + 1) / 2;
  const bool lengths_ok = c.d.size() == c.n.size() && c.p.size() == half && c.q.size() == half &&
                          c.dp.size() == half && c.dq.size() == half && c.qi.size() == half;
  if (!lengths_ok) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                "System.Security.Cryptography.CryptographicException: Bad Data.");
  }
  if (c.n.size() * 8 < 2048) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                "System.ArgumentOutOfRangeException: the key must be at least 2048 bits");
  }
  Result<jose::RsaKey> key = jose::RsaKey::FromComponents(c);
  if (!key) {
    return Fail(ErrorCode::kInvalidArgument, ".credentials_rsaparams",
                "System.Security.Cryptography.CryptographicException: " + key.error().detail);
  }
  return key;
}

}  // namespace agentboot::fake_agent

// RotateKey (agent.h): journal the registered key, write a new one, PUT it, drop the journal. A
// crash between any two steps leaves a state that FinishInterruptedRotation repairs: the server
// always holds the key on disk or one of the journal's keys.
#include <optional>
#include <string>
#include <utility>

#include "agentboot/agent.h"

#include "key_rotation_checks.h"

namespace agentboot::agent {
namespace {

using detail::AsRetryable;
using detail::PutKey;
using detail::ServerHolds;
using detail::ServerSentNoKey;

constexpr std::string_view kSource = "rotate";

jose::Bytes WithoutLeadingZeros(const jose::Bytes& value) {
  size_t skip = 0;
  while (skip < value.size() && value[skip] == 0) ++skip;
  return jose::Bytes(value.begin() + static_cast<std::ptrdiff_t>(skip), value.end());
}

std::optional<jose::Bytes> DecodeUnsigned(const std::string& base64) {
  auto decoded = jose::Base64Decode(base64);
  if (!decoded) return std::nullopt;
  return WithoutLeadingZeros(jose::Bytes(decoded->begin(), decoded->end()));
}

std::string Context(const AgentSettings& settings) {
  return "rotate the key of agent '" + settings.agent_name + "' (id " +
         std::to_string(settings.agent_id) + ")";
}

// Before the PUT: the old key goes back on disk (a failed atomic write may still have landed),
// then the journal goes. Should the restore fail too, the journal stays for the repair.
Error Abandon(AgentFiles& files, const jose::RsaKey& old_key, Error error) {
  if (files.WriteKey(old_key)) (void)files.RemoveRotationJournal();
  return error;
}

// The PUT failed or did not return the new key: what the server holds decides.
Status SettleFailedPut(devops::Client& client, AgentFiles& files, Env& env,
                       const AgentSettings& settings, const jose::RsaKey& old_key,
                       const jose::RsaKey& new_key, Error put_error) {
  auto now = client.GetAgent(settings.pool_id, settings.agent_id);
  if (now && ServerHolds(*now, new_key)) return {};  // applied; only the answer was lost
  const bool unknown = now ? ServerSentNoKey(*now) : now.error().code != ErrorCode::kNotFound;
  if (unknown) {
    if (now)
      now = tl::unexpected(MakeError(ErrorCode::kUnavailable, Context(settings),
                                     "the server's answer carries no public key"));
    // Unknown. The old key goes back on disk (a failed PUT was most likely not applied) and the
    // new one into the journal; .next is written first so that both keys exist at every moment.
    if (auto kept = files.WriteKeyFile(files.next_key_path(), new_key); !kept) {
      return Fail(kept.error());
    }
    if (auto restored = files.WriteKey(old_key); !restored) return Fail(restored.error());
    env.log.Log(LogLevel::kWarning, kSource,
                "key rotation outcome unknown; the old key is back on disk, both are kept",
                {{"agent", settings.agent_name}, {"error", now.error().detail}});
    Error error = AsRetryable(std::move(put_error));
    error.detail += "; the agent's key could not be checked: " + now.error().detail;
    error.advice =
        "Retry later: the next rotation, `agentboot run` or `agentboot register` asks the server "
        "which key it holds and keeps that one.";
    return Fail(std::move(error));
  }
  // The old key, another key, or no agent: the rotation did not happen.
  if (auto restored = files.WriteKey(old_key); !restored) return Fail(restored.error());
  if (auto removed = files.RemoveRotationJournal(); !removed) {
    env.log.Log(LogLevel::kWarning, kSource, "could not remove the key rotation journal",
                {{"error", removed.error().ToString()}});
  }
  if (now && !ServerHolds(*now, old_key)) {
    return Fail(ErrorCode::kAlreadyExists, Context(settings),
                "the server holds a key that is neither the old nor the new one",
                "Another registration replaced this agent's key; run `agentboot unregister`, then "
                "register again.");
  }
  return Fail(AsRetryable(std::move(put_error)));
}

// The agent as the server knows it, which must hold the key on disk: rotating away from a key
// the server does not hold would hide a broken or taken-over agent.
Result<devops::Agent> RegisteredAgent(devops::Client& client, AgentFiles& files,
                                      const AgentSettings& settings, const jose::RsaKey& key) {
  auto agent = client.GetAgent(settings.pool_id, settings.agent_id);
  if (!agent) return Fail(AsRetryable(std::move(agent.error())));
  // Without a key in the answer, .agent naming this agent id is the evidence that it is ours.
  if (!ServerSentNoKey(*agent) && !ServerHolds(*agent, key)) {
    return Fail(ErrorCode::kAlreadyExists, Context(settings),
                "the server holds another key than " + files.rsa_params_path(),
                "Another registration replaced this agent's key; run `agentboot unregister`, then "
                "register again.");
  }
  return agent;
}

// After a key PUT, .credentials follows the answer when the server changed the OAuth client or
// its URL (the agent's own --replace rewrites .credentials from the PUT answer,
// ConfigurationManager.cs:262-331; agent-audit D7). An answer without them changes nothing.
Status RefreshCredentials(AgentFiles& files, Env& env, const devops::Agent& answer) {
  const devops::AgentAuthorization& auth = answer.authorization;
  if (auth.client_id.empty() || auth.authorization_url.empty()) return {};
  auto current = files.LoadCredentials();
  if (current && current->client_id == auth.client_id &&
      current->authorization_url == auth.authorization_url) {
    return {};
  }
  CredentialData credentials;
  credentials.client_id = auth.client_id;
  credentials.authorization_url = auth.authorization_url;
  credentials.oauth_endpoint_url = auth.authorization_url;
  env.log.Log(LogLevel::kInfo, kSource,
              current ? "the server changed the agent's OAuth client; .credentials rewritten"
                      : "unreadable .credentials rewritten from the server's answer",
              {{"agent", answer.name}});
  return files.WriteCredentials(credentials);
}

// PUTs `agent` (capabilities, enabled state and all, as the server returned it) with the new
// public key. OK once the server holds it; otherwise SettleFailedPut's outcome.
Status PutNewKey(devops::Client& client, AgentFiles& files, Env& env, const AgentSettings& settings,
                 devops::Agent agent, const jose::RsaKey& old_key, const jose::RsaKey& new_key) {
  auto replaced = PutKey(client, settings.pool_id, std::move(agent), new_key);
  // A 2xx answer with no key in it says nothing against the PUT: it was applied.
  if (replaced && (ServerHolds(*replaced, new_key) || ServerSentNoKey(*replaced))) {
    return RefreshCredentials(files, env, *replaced);
  }
  Error put_error = replaced ? MakeError(ErrorCode::kInternal, Context(settings),
                                         "the server's answer does not hold the new key")
                             : std::move(replaced.error());
  return SettleFailedPut(client, files, env, settings, old_key, new_key, std::move(put_error));
}

}  // namespace

namespace detail {

bool ServerSentNoKey(const devops::Agent& agent) {
  return agent.authorization.public_key.modulus.empty() ||
         agent.authorization.public_key.exponent.empty();
}

Result<devops::Agent> PutKey(devops::Client& client, int64_t pool_id, devops::Agent agent,
                             const jose::RsaKey& key) {
  const nlohmann::json public_key = PublicKeyJson(key);
  agent.authorization.public_key = {public_key.value("exponent", ""),
                                    public_key.value("modulus", "")};
  return client.ReplaceAgent(pool_id, agent);
}

bool ServerHolds(const devops::Agent& agent, const jose::RsaKey& key) {
  const devops::PublicKey& server = agent.authorization.public_key;
  if (server.modulus.empty() || server.exponent.empty()) return false;
  const jose::RsaComponents ours = key.Components();
  const auto modulus = DecodeUnsigned(server.modulus);
  const auto exponent = DecodeUnsigned(server.exponent);
  return modulus && exponent && *modulus == WithoutLeadingZeros(ours.n) &&
         *exponent == WithoutLeadingZeros(ours.e);
}

Error AsRetryable(Error error) {
  const bool transient = error.code == ErrorCode::kUnavailable ||
                         error.code == ErrorCode::kThrottled ||
                         error.code == ErrorCode::kDeadlineExceeded || error.http_status >= 500;
  if (transient) {
    error.code = ErrorCode::kUnavailable;
    error.retryable = true;
  }
  return error;
}

}  // namespace detail

std::string KeyFingerprint(const jose::RsaKey& key) {
  const jose::Bytes modulus = WithoutLeadingZeros(key.Components().n);
  return jose::Sha256Hex(std::string(modulus.begin(), modulus.end())).substr(0, 8);
}

Result<KeyRotation> RotateKey(devops::Client& client, AgentFiles& files, Env& env) {
  auto settings = files.LoadSettings();
  if (!settings) return Fail(std::move(settings.error()));
  if (auto finished = FinishInterruptedRotation(client, files, env); !finished) {
    return Fail(std::move(finished.error()));
  }
  // 1.
  auto old_key = files.LoadKey();
  if (!old_key) return Fail(std::move(old_key.error()));
  auto agent = RegisteredAgent(client, files, *settings, *old_key);
  if (!agent) return Fail(std::move(agent.error()));
  KeyRotation result{settings->pool_id, settings->agent_id, agent->name, KeyFingerprint(*old_key),
                     ""};

  // 2. + 3. The registered key is journaled before the new one replaces it on disk.
  if (auto journaled = files.WriteKeyFile(files.previous_key_path(), *old_key); !journaled) {
    return Fail(std::move(journaled.error()));
  }
  auto new_key = jose::RsaKey::Generate(2048);
  if (!new_key) return Fail(Abandon(files, *old_key, std::move(new_key.error())));
  if (auto written = files.WriteKey(*new_key); !written) {
    return Fail(Abandon(files, *old_key, std::move(written.error())));
  }
  result.new_fingerprint = KeyFingerprint(*new_key);

  // 4.
  if (auto put = PutNewKey(client, files, env, *settings, std::move(*agent), *old_key, *new_key);
      !put) {
    return Fail(std::move(put.error()));
  }

  // 5. A journal left behind by a failed removal is harmless: the repair drops it.
  if (auto removed = files.RemoveRotationJournal(); !removed) {
    env.log.Log(LogLevel::kWarning, kSource, "could not remove the key rotation journal",
                {{"error", removed.error().ToString()}});
  }
  env.log.Log(LogLevel::kInfo, kSource, "agent key rotated",
              {{"agent", result.agent_name},
               {"id", std::to_string(result.agent_id)},
               {"old_key", result.old_fingerprint},
               {"new_key", result.new_fingerprint}});
  return result;
}

}  // namespace agentboot::agent

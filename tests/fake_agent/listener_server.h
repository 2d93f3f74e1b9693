// The listener's connection to the service (agent-contract §3): the unauthenticated first
// request, the 401 Bearer challenge, the JWT client assertion and the OAuth token, then
// bearer-authenticated calls that fetch a new token on a later challenge. Thread-safe (the
// message loop, the keep-alive poll and the job thread share one connection).
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/jose.h"

#include "listener_files.h"
#include "listener_http.h"

namespace agentboot::fake_agent {

// ReturnCode (agent-contract §4).
inline constexpr int kSuccess = 0;
inline constexpr int kTerminated = 1;
inline constexpr int kRetryable = 2;
inline constexpr int kUpdating = 3;
inline constexpr int kRunOnceUpdating = 4;

class ServerConnection {
 public:
  ServerConnection(AgentSettings settings, OAuthCredentials credentials, jose::RsaKey key);

  const AgentSettings& settings() const { return settings_; }

  // connectionData without, then with a token. kOk; kTerminate only for a token the service
  // refuses (VssUnauthorizedException, not retriable at session creation,
  // MessageListener.cs:541-547); everything else (socket errors, a refused OAuth token request,
  // an odd answer) is kRetry: CreateSessionAsync calls ConnectAsync inside its retry loop.
  enum class Verdict { kOk, kRetry, kTerminate };
  struct Outcome {
    Verdict verdict = Verdict::kOk;
    std::string message;  // the exception's text for kRetry/kTerminate
  };
  Outcome Connect();

  // `path` is relative to serverUrl ("_apis/…") or an absolute URL. JSON body when not null.
  // kUnavailable on socket errors; kUnauthenticated when no token can be had.
  [[nodiscard]] Result<HttpAnswer> Call(const std::string& method, const std::string& path,
                                        const nlohmann::json& body = nullptr);

 private:
  [[nodiscard]] Result<Secret> FetchToken();
  [[nodiscard]] Result<Secret> CurrentToken(bool refresh);

  AgentSettings settings_;
  OAuthCredentials credentials_;
  jose::RsaKey key_;
  std::mutex mu_;
  std::optional<Secret> token_;
};

// Accept, X-TFS-FedAuthRedirect, X-TFS-Session and User-Agent as the agent sends them.
std::vector<std::pair<std::string, std::string>> BaseHeaders();
std::string CaFile();  // SSL_CERT_FILE, as .NET on Linux reads it

}  // namespace agentboot::fake_agent

#include "listener_server.h"

#include <iostream>

#include "listener_version.h"

namespace agentboot::fake_agent {
namespace {

constexpr const char* kApiAccept = "application/json; api-version=6.0-preview.2";

// RS256 client assertion exactly as VssOAuthJwtBearerAssertion builds it (agent-contract §3).
Result<std::string> ClientAssertion(const OAuthCredentials& credentials, const jose::RsaKey& key) {
  const int64_t now = ToUnixSeconds(SystemClock().Now());
  nlohmann::json claims = {{"iss", credentials.client_id},
                           {"sub", credentials.client_id},
                           {"aud", credentials.authorization_url},
                           {"jti", NewGuid(SystemRandom())},
                           {"nbf", now},
                           {"exp", now + 300}};
  const std::string signing_input = jose::Base64UrlEncode(R"({"typ":"JWT","alg":"RS256"})") + "." +
                                    jose::Base64UrlEncode(claims.dump());
  Result<std::string> signature = key.SignSha256(signing_input);
  if (!signature) return Fail(signature.error());
  return signing_input + "." + jose::Base64UrlEncode(*signature);
}

bool IsBearerChallenge(const HttpAnswer& answer) {
  return answer.status == 401 &&
         answer.Header("WWW-Authenticate").find("Bearer") != std::string::npos;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> BaseHeaders() {
  return {{"Accept", kApiAccept},
          {"X-TFS-FedAuthRedirect", "Suppress"},
          {"X-TFS-Session", NewGuid(SystemRandom())},
          {"User-Agent", std::string("VstsAgentCore-linux-x64/") + ListenerVersion()}};
}

std::string CaFile() { return ProcessEnvironment().GetNonEmpty("SSL_CERT_FILE").value_or(""); }

ServerConnection::ServerConnection(AgentSettings settings, OAuthCredentials credentials,
                                   jose::RsaKey key)
    : settings_(std::move(settings)), credentials_(std::move(credentials)), key_(std::move(key)) {}

Result<Secret> ServerConnection::FetchToken() {
  Result<std::string> assertion = ClientAssertion(credentials_, key_);
  if (!assertion) {
    return Fail(ErrorCode::kInternal, "sign",
                "CryptographicException: " + assertion.error().detail);
  }
  const std::string form = "grant_type=client_credentials&client_assertion_type=" +
                           UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                           "&client_assertion=" + UrlEncode(*assertion);
  Result<HttpAnswer> answer =
      Send("POST", credentials_.oauth_endpoint_url,
           {{"Accept", "application/json"}, {"Content-Type", "application/x-www-form-urlencoded"}},
           form, CaFile());
  if (!answer) return Fail(answer.error());
  nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status != 200 || !body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    const std::string description =
        body.is_object() ? body.value("error_description", "") : std::string();
    return Fail(ErrorCode::kUnauthenticated, "token",
                "VssOAuthTokenRequestException: " + description + " (HTTP " +
                    std::to_string(answer->status) + ")");
  }
  return Secret(body["access_token"].get<std::string>());
}

Result<Secret> ServerConnection::CurrentToken(bool refresh) {
  std::lock_guard lock(mu_);
  if (!token_ || refresh) {
    Result<Secret> fetched = FetchToken();
    if (!fetched) return fetched;
    token_ = *fetched;
  }
  return *token_;
}

ServerConnection::Outcome ServerConnection::Connect() {
  const std::string url = JoinUrl(settings_.server_url, "_apis/connectionData") +
                          "?connectOptions=1&lastChangeId=-1&lastChangeId64=-1";
  // The first request goes out without a token; the token is fetched on the Bearer challenge.
  Result<HttpAnswer> first = Send("GET", url, BaseHeaders(), "", CaFile());
  if (!first) return {Verdict::kRetry, "HttpRequestException: " + first.error().ToString()};
  if (!IsBearerChallenge(*first)) {
    return {Verdict::kRetry, "VssServiceResponseException: expected a Bearer challenge, got HTTP " +
                                 std::to_string(first->status)};
  }
  Result<Secret> token = CurrentToken(true);
  if (!token) return {Verdict::kRetry, token.error().detail};
  auto headers = BaseHeaders();
  headers.emplace_back("Authorization", "Bearer " + token->Reveal());
  Result<HttpAnswer> second = Send("GET", url, headers, "", CaFile());
  if (!second) return {Verdict::kRetry, "HttpRequestException: " + second.error().ToString()};
  if (second->status == 401) {
    return {Verdict::kTerminate,
            "VssUnauthorizedException: " + second->Header("X-TFS-ServiceError")};
  }
  nlohmann::json data = nlohmann::json::parse(second->body, nullptr, false);
  if (second->status != 200 || !data.is_object() || !data.contains("authenticatedUser")) {
    return {Verdict::kRetry, "VssServiceResponseException: connectionData answered HTTP " +
                                 std::to_string(second->status)};
  }
  return {};
}

Result<HttpAnswer> ServerConnection::Call(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) {
  const std::string url = StartsWith(path, "http://") || StartsWith(path, "https://")
                              ? path
                              : JoinUrl(settings_.server_url, path);
  // VssHttpMessageHandler: on a Bearer challenge, fetch a new token and retry once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<Secret> token = CurrentToken(attempt > 0);
    if (!token) return Fail(token.error());
    auto headers = BaseHeaders();
    headers.emplace_back("Authorization", "Bearer " + token->Reveal());
    if (!body.is_null()) {
      headers.emplace_back("Content-Type", "application/json; charset=utf-8; api-version=6.0");
    }
    Result<HttpAnswer> answer =
        Send(method, url, headers, body.is_null() ? std::string() : body.dump(), CaFile());
    if (!answer || !IsBearerChallenge(*answer)) return answer;
  }
  return Fail(ErrorCode::kUnauthenticated, method + " " + url,
              "VssUnauthorizedException: the token was refused twice");
}

}  // namespace agentboot::fake_agent

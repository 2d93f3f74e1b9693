// fake-agent-listener: behaves like the official Agent.Listener as far as agentboot can see it
// (agent-contract §2-4). `--version` prints the version; `run [--once] [--check]` reads the
// agent files from <root> (the parent of the binary's directory), performs the runtime OAuth
// flow (unauthenticated connectionData → 401 Bearer challenge → JWT client assertion → token →
// connectionData with the bearer) and prints "Listening for Jobs". With --check it then exits 0;
// otherwise it waits for SIGINT/SIGTERM and exits 0. Exit codes: 1 terminated (not configured,
// refused), 2 retryable (bad files, socket errors).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/jose.h"

#include "listener_files.h"
#include "listener_http.h"

namespace agentboot::fake_agent {
namespace {

constexpr int kSuccess = 0;
constexpr int kTerminated = 1;
constexpr int kRetryable = 2;
constexpr const char* kApiAccept = "application/json; api-version=6.0-preview.2";

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string AgentRoot(const char* argv0) {
  // The root is the parent of the directory holding the binary, as the path it was started
  // by (a symlinked bin/Agent.Listener keeps its own root).
  std::filesystem::path self = argv0;
  if (self.has_parent_path()) {
    self = std::filesystem::absolute(self);
  } else {
    self = std::filesystem::read_symlink("/proc/self/exe");
  }
  return self.parent_path().parent_path().string();
}

Headers BaseHeaders() {
  return {{"Accept", kApiAccept},
          {"X-TFS-FedAuthRedirect", "Suppress"},
          {"X-TFS-Session", NewGuid(SystemRandom())},
          {"User-Agent", std::string("VstsAgentCore-linux-x64/") + AGENTBOOT_FAKE_AGENT_VERSION}};
}

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

std::string CaFile() { return ProcessEnvironment().GetNonEmpty("SSL_CERT_FILE").value_or(""); }

// Returns the exit code on failure.
tl::expected<Secret, int> FetchToken(const OAuthCredentials& credentials, const jose::RsaKey& key) {
  Result<std::string> assertion = ClientAssertion(credentials, key);
  if (!assertion) {
    std::cerr << "CryptographicException: " << assertion.error().detail << "\n";
    return tl::unexpected(kRetryable);
  }
  const std::string form = "grant_type=client_credentials&client_assertion_type=" +
                           UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                           "&client_assertion=" + UrlEncode(*assertion);
  Result<HttpAnswer> answer =
      Send("POST", credentials.oauth_endpoint_url,
           {{"Accept", "application/json"}, {"Content-Type", "application/x-www-form-urlencoded"}},
           form, CaFile());
  if (!answer) {
    std::cerr << answer.error().ToString() << "\n";
    return tl::unexpected(kRetryable);
  }
  nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status != 200 || !body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    const std::string description =
        body.is_object() ? body.value("error_description", "") : std::string();
    std::cerr << "VssOAuthTokenRequestException: " << description << " (HTTP " << answer->status
              << ")\n";
    return tl::unexpected(kRetryable);
  }
  return Secret(body["access_token"].get<std::string>());
}

int Connect(const AgentSettings& settings, const OAuthCredentials& credentials,
            const jose::RsaKey& key) {
  const std::string url = JoinUrl(settings.server_url, "_apis/connectionData") +
                          "?connectOptions=1&lastChangeId=-1&lastChangeId64=-1";
  // The first request goes out without a token; the token is fetched on the Bearer challenge.
  Result<HttpAnswer> first = Send("GET", url, BaseHeaders(), "", CaFile());
  if (!first) {
    std::cerr << first.error().ToString() << "\n";
    return kRetryable;
  }
  if (first->status != 401 ||
      first->Header("WWW-Authenticate").find("Bearer") == std::string::npos) {
    std::cerr << "VssServiceResponseException: expected a Bearer challenge, got HTTP "
              << first->status << "\n";
    return kRetryable;
  }
  tl::expected<Secret, int> token = FetchToken(credentials, key);
  if (!token) return token.error();
  Headers headers = BaseHeaders();
  headers.emplace_back("Authorization", "Bearer " + token->Reveal());
  Result<HttpAnswer> second = Send("GET", url, headers, "", CaFile());
  if (!second) {
    std::cerr << second.error().ToString() << "\n";
    return kRetryable;
  }
  if (second->status == 401) {
    std::cerr << "VssUnauthorizedException: " << second->Header("X-TFS-ServiceError") << "\n";
    return kTerminated;
  }
  nlohmann::json data = nlohmann::json::parse(second->body, nullptr, false);
  if (second->status != 200 || !data.is_object() || !data.contains("authenticatedUser")) {
    std::cerr << "VssServiceResponseException: connectionData answered HTTP " << second->status
              << "\n";
    return kRetryable;
  }
  return kSuccess;
}

int WaitForStop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  std::cout << "Exiting..." << std::endl;
  return kSuccess;
}

int Run(const std::string& root, bool check) {
  Result<AgentSettings> settings = ReadAgentSettings(root);
  if (!settings) {
    if (settings.error().code == ErrorCode::kNotFound) {
      std::cerr << "Agent is not configured. Run config.sh first.\n";
      return kTerminated;
    }
    std::cerr << settings.error().ToString() << "\n";
    return kRetryable;
  }
  Result<OAuthCredentials> credentials = ReadCredentials(root);
  if (!credentials) {
    std::cerr << credentials.error().ToString() << "\n";
    return kRetryable;
  }
  Result<jose::RsaKey> key = ReadRsaParams(root);
  if (!key) {
    std::cerr << key.error().ToString() << "\n";
    return kRetryable;
  }
  std::cout << "Scanning for tool capabilities." << std::endl;
  std::cout << "Connecting to the server." << std::endl;
  if (int code = Connect(*settings, *credentials, *key); code != kSuccess) return code;
  std::cout << FormatUtc(SystemClock().Now()) << ": Listening for Jobs" << std::endl;
  return check ? kSuccess : WaitForStop();
}

}  // namespace
}  // namespace agentboot::fake_agent

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto has = [&](const char* flag) {
    for (const std::string& arg : args) {
      if (agentboot::EqualsIgnoreCase(arg, flag)) return true;
    }
    return false;
  };
  if (has("--version")) {
    std::cout << AGENTBOOT_FAKE_AGENT_VERSION << std::endl;
    return 0;
  }
  if (args.empty() || agentboot::EqualsIgnoreCase(args[0], "run") || args[0].rfind("--", 0) == 0) {
    return agentboot::fake_agent::Run(agentboot::fake_agent::AgentRoot(argv[0]), has("--check"));
  }
  std::cerr << "Unknown command: " << args[0] << "\n";
  return 1;
}

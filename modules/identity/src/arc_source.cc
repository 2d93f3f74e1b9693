// Azure Arc-enabled servers (identity-contract §1.6): a 401 challenge names a key file whose
// contents prove local privilege. The path comes from the network, so it is checked strictly
// before anything is read: inside the configured directory, a .key name, at most 4096 bytes.
#include "agentboot/identity.h"

#include "retry.h"
#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "arc";
constexpr std::string_view kDefaultEndpoint =
    "http://127.0.0.1:40342/metadata/identity/oauth2/token";
constexpr std::string_view kHimdsPath = "/opt/azcmagent/bin/himds";
constexpr uint64_t kMaxKeySize = 4096;

// The key file the challenge named could not be read: a local file problem (the file operation
// ends the context, as PosixFileSystem's do), not a missing identity.
Error KeyFileError(Error error, const std::string& context, const std::string& operation) {
  error.context = context + ": " + operation;
  error.advice =
      error.code == ErrorCode::kNotFound
          ? "The Arc agent named a key file that is not there: check that the Arc agent (himds) "
            "runs and is healthy (azcmagent show), then try again."
          : "Run agentboot as root or as a member of the himds group so it can read the key.";
  return error;
}

Error KeyRefused(const std::string& context, std::string detail) {
  return MakeError(ErrorCode::kUnauthenticated, context, std::move(detail),
                   "The Arc agent asked for a key file agentboot will not read; check that the "
                   "endpoint is the local Azure Connected Machine agent.");
}

class ArcSource final : public TokenSource {
 public:
  ArcSource(const IdentityOptions& options, Deps deps) : options_(options), deps_(deps) {
    while (options_.arc_key_directory.size() > 1 && options_.arc_key_directory.back() == '/') {
      options_.arc_key_directory.pop_back();
    }
  }

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kArc; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    auto endpoint = Endpoint();
    if (!endpoint) return Fail(endpoint.error());
    if (detail::ResolveSelector(options_, deps_.env.vars).explicit_option) {
      return Fail(ErrorCode::kInvalidArgument, "identity/arc",
                  "Azure Arc supports only the system-assigned identity",
                  "Drop --client-id/--object-id/--resource-id when using Azure Arc.");
    }
    http::Request http_request;
    http_request.url = detail::AppendQuery(*endpoint, "api-version", "2020-06-01");
    http_request.url =
        detail::AppendQuery(http_request.url, "resource", ResourceFromScope(request.resource));
    http_request.headers = {{"Metadata", "true"}};
    http_request.bypass_proxy = true;  // a local endpoint
    const std::string context = detail::RequestContext(kName, http_request);

    auto challenge = Send(http_request, context);
    if (!challenge) return Fail(challenge.error());
    if (challenge->status != 401) {
      return detail::TokenFromResponse(*challenge, deps_.env, context, kName);
    }
    auto key = ReadChallengeKey(*challenge, context);
    if (!key) return Fail(key.error());
    http_request.headers.emplace_back("Authorization", "Basic " + key->Reveal());
    auto answer = Send(http_request, context);
    if (!answer) return Fail(answer.error());
    return detail::TokenFromResponse(*answer, deps_.env, context, kName);
  }

 private:
  Result<std::string> Endpoint() const {
    const auto& vars = deps_.env.vars;
    auto identity_endpoint = vars.GetNonEmpty("IDENTITY_ENDPOINT");
    if (identity_endpoint && vars.GetNonEmpty("IMDS_ENDPOINT")) return *identity_endpoint;
    if (deps_.env.fs.Exists(std::string(kHimdsPath))) return std::string(kDefaultEndpoint);
    return Fail(detail::MissingEnvironment(
        kName, "IDENTITY_ENDPOINT and IMDS_ENDPOINT (and no Arc agent is installed)"));
  }

  Result<http::Response> Send(const http::Request& request, const std::string& context) {
    detail::RetryRules rules;
    rules.family = detail::EndpointFamily::kManagedIdentity;
    auto outcome = detail::SendWithRetries(request, rules, deps_.env, deps_.transport, kName);
    if (!outcome.result) {
      return Fail(
          detail::TransportFailure(outcome.result.error(), context, "the Arc agent (himds)"));
    }
    return std::move(*outcome.result);
  }

  // The path from `WWW-Authenticate: Basic realm=<path>`, validated; the file is read last.
  Result<Secret> ReadChallengeKey(const http::Response& challenge, const std::string& context) {
    const auto header = challenge.Header("WWW-Authenticate");
    constexpr std::string_view kPrefix = "basic realm=";
    if (!header || !StartsWith(ToLower(*header), kPrefix)) {
      return Fail(
          KeyRefused(context, "the 401 answer has no WWW-Authenticate: Basic realm=<file>"));
    }
    const std::string path = Trim(std::string_view(*header).substr(kPrefix.size()));
    if (Status valid = ValidateKeyPath(path, context); !valid) return Fail(valid.error());
    // O_NOFOLLOW|O_NONBLOCK and fstat on the descriptor: a symlink planted in the key directory
    // is not followed, and a FIFO cannot hang the process (security-review L8).
    auto content = deps_.env.fs.ReadRegularFile(path, kMaxKeySize);
    if (!content && content.error().code == ErrorCode::kInvalidArgument) {
      return Fail(KeyRefused(context, "the key file " + path +
                                          " is not a regular file of at most 4096 bytes (" +
                                          content.error().detail + ")"));
    }
    if (!content) return Fail(KeyFileError(content.error(), context, "read " + path));
    std::string key = std::move(*content);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.empty() || key.find_first_of("\r\n") != std::string::npos) {
      return Fail(KeyRefused(context, "the key file " + path + " is empty or has several lines"));
    }
    return Secret(std::move(key));
  }

  Status ValidateKeyPath(const std::string& path, const std::string& context) const {
    const size_t slash = path.rfind('/');
    if (path.empty() || path.front() != '/' || slash == std::string::npos) {
      return Fail(KeyRefused(context, "the key path '" + path + "' is not absolute"));
    }
    for (const auto& part : Split(std::string_view(path).substr(1), '/')) {
      if (part.empty() || part == "." || part == "..") {
        return Fail(KeyRefused(context, "the key path '" + path + "' is not canonical"));
      }
    }
    const std::string directory = path.substr(0, slash);
    const std::string name = path.substr(slash + 1);
    if (directory != options_.arc_key_directory) {
      return Fail(KeyRefused(
          context, "the key path '" + path + "' is outside " + options_.arc_key_directory));
    }
    if (name.size() <= 4 || !EndsWith(name, ".key")) {
      return Fail(KeyRefused(context, "the key file '" + name + "' does not end in .key"));
    }
    return {};
  }

  IdentityOptions options_;
  Deps deps_;
};

}  // namespace

std::unique_ptr<TokenSource> MakeArcSource(const IdentityOptions& options, Deps deps) {
  return std::make_unique<ArcSource>(options, deps);
}

}  // namespace agentboot::identity

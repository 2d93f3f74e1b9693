// Workload identity federation (identity-contract §4): a Kubernetes service account token from
// AZURE_FEDERATED_TOKEN_FILE is exchanged at Entra for an access token. The file is read again
// for every exchange because the kubelet rotates it (§4.2, §9: AADSTS700024 otherwise).
#include <cctype>

#include "agentboot/identity.h"

#include "aadsts_advice.h"
#include "retry.h"
#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "workload";
constexpr std::string_view kDefaultAuthority = "https://login.microsoftonline.com/";
constexpr std::string_view kAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct Settings {
  std::string client_id;
  std::string tenant_id;
  std::string token_file;
  std::string authority;
};

bool HasOuterWhitespace(std::string_view value) {
  return !value.empty() && (std::isspace(static_cast<unsigned char>(value.front())) != 0 ||
                            std::isspace(static_cast<unsigned char>(value.back())) != 0);
}

Error Invalid(std::string_view variable, std::string detail, std::string advice) {
  return MakeError(ErrorCode::kInvalidArgument, "identity/workload: " + std::string(variable),
                   std::move(detail), std::move(advice));
}

class WorkloadSource final : public TokenSource {
 public:
  WorkloadSource(const IdentityOptions& options, Deps deps) : options_(options), deps_(deps) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kWorkload; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    auto settings = ReadSettings();
    if (!settings) return Fail(settings.error());
    auto assertion = ReadAssertion(settings->token_file);
    if (!assertion) return Fail(assertion.error());
    http::Request http_request;
    http_request.method = "POST";
    http_request.url =
        JoinUrl(JoinUrl(settings->authority, settings->tenant_id), "oauth2/v2.0/token");
    http_request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    // The five fields in the order the C++ SDK and the Entra docs use (§4.3).
    http_request.body = http::FormEncode({{"grant_type", "client_credentials"},
                                          {"client_assertion_type", std::string(kAssertionType)},
                                          {"client_id", settings->client_id},
                                          {"scope", request.Scope()},
                                          {"client_assertion", assertion->Reveal()}});
    const std::string context = detail::RequestContext(kName, http_request);
    detail::RetryRules rules;
    rules.family = detail::EndpointFamily::kEntra;
    auto outcome = detail::SendWithRetries(http_request, rules, deps_.env, deps_.transport, kName);
    if (!outcome.result) {
      return Fail(detail::TransportFailure(outcome.result.error(), context,
                                           "Entra (AZURE_AUTHORITY_HOST)"));
    }
    if (outcome.result->status < 200 || outcome.result->status > 299) {
      return Fail(detail::EntraError(*outcome.result, context));
    }
    return detail::TokenFromResponse(*outcome.result, deps_.env, context, kName);
  }

 private:
  Result<Settings> ReadSettings() const {
    const auto& vars = deps_.env.vars;
    auto client_id = options_.client_id.empty() ? vars.GetNonEmpty("AZURE_CLIENT_ID")
                                                : std::optional<std::string>(options_.client_id);
    auto tenant_id = vars.GetNonEmpty("AZURE_TENANT_ID");
    auto token_file = vars.GetNonEmpty("AZURE_FEDERATED_TOKEN_FILE");
    if (!client_id || !tenant_id || !token_file) {
      return Fail(detail::MissingEnvironment(
          kName, "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE"));
    }
    Settings settings{
        *client_id, *tenant_id, *token_file,
        vars.GetNonEmpty("AZURE_AUTHORITY_HOST").value_or(std::string(kDefaultAuthority))};
    const std::pair<std::string_view, const std::string*> checked[] = {
        {"AZURE_CLIENT_ID", &settings.client_id},
        {"AZURE_TENANT_ID", &settings.tenant_id},
        {"AZURE_FEDERATED_TOKEN_FILE", &settings.token_file},
        {"AZURE_AUTHORITY_HOST", &settings.authority}};
    for (const auto& [variable, value] : checked) {
      if (HasOuterWhitespace(*value)) {
        return Fail(Invalid(variable, "the value has leading or trailing whitespace",
                            "Remove the whitespace around " + std::string(variable) + "."));
      }
    }
    for (const char c : settings.tenant_id) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-') {
        return Fail(Invalid("AZURE_TENANT_ID", "a tenant id has only letters, digits, '.' and '-'",
                            "Set AZURE_TENANT_ID to the tenant's GUID or its domain name."));
      }
    }
    if (!StartsWith(ToLower(settings.authority), "https://")) {
      return Fail(Invalid("AZURE_AUTHORITY_HOST", "the authority must use https",
                          "Set AZURE_AUTHORITY_HOST to an https URL such as "
                          "https://login.microsoftonline.com/."));
    }
    return settings;
  }

  Result<Secret> ReadAssertion(const std::string& path) const {
    auto content = deps_.env.fs.ReadFile(path);
    if (!content) {
      return Fail(ErrorCode::kInvalidArgument, "identity/workload: read " + path,
                  content.error().detail,
                  "Check that the projected service account token is mounted where "
                  "AZURE_FEDERATED_TOKEN_FILE points and is readable.");
    }
    // A stray trailing newline would become %0A in client_assertion (§9).
    std::string assertion = std::move(*content);
    while (!assertion.empty() && (assertion.back() == '\n' || assertion.back() == '\r')) {
      assertion.pop_back();
    }
    if (assertion.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "identity/workload: read " + path,
                  "the token file is empty",
                  "Check the projected service account token volume of this pod.");
    }
    return Secret(std::move(assertion));
  }

  IdentityOptions options_;
  Deps deps_;
};

}  // namespace

std::unique_ptr<TokenSource> MakeWorkloadSource(const IdentityOptions& options, Deps deps) {
  return std::make_unique<WorkloadSource>(options, deps);
}

}  // namespace agentboot::identity

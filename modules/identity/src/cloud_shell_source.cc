// Azure Cloud Shell (identity-contract §1.7): MSI_ENDPOINT alone, POST with a form body.
#include "agentboot/identity.h"

#include "retry.h"
#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "cloudshell";

class CloudShellSource final : public TokenSource {
 public:
  CloudShellSource(const IdentityOptions& options, Deps deps) : options_(options), deps_(deps) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kCloudShell; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    auto endpoint = deps_.env.vars.GetNonEmpty("MSI_ENDPOINT");
    if (!endpoint) return Fail(detail::MissingEnvironment(kName, "MSI_ENDPOINT"));
    const detail::Selector selector = detail::ResolveSelector(options_, deps_.env.vars);
    if (selector.explicit_option) {
      return Fail(ErrorCode::kInvalidArgument, "identity/cloudshell",
                  "Cloud Shell has no user-assigned identities",
                  "Drop --client-id/--object-id/--resource-id when using Cloud Shell.");
    }
    http::Request http_request;
    http_request.method = "POST";
    http_request.url = *endpoint;
    http_request.headers = {{"Metadata", "true"},
                            {"Content-Type", "application/x-www-form-urlencoded"}};
    http_request.body = http::FormEncode({{"resource", ResourceFromScope(request.resource)}});
    http_request.bypass_proxy = true;  // a local endpoint
    const std::string context = detail::RequestContext(kName, http_request);
    detail::RetryRules rules;
    rules.family = detail::EndpointFamily::kManagedIdentity;
    auto outcome = detail::SendWithRetries(http_request, rules, deps_.env, deps_.transport, kName);
    if (!outcome.result) {
      return Fail(detail::TransportFailure(outcome.result.error(), context,
                                           "the Cloud Shell identity endpoint (MSI_ENDPOINT)"));
    }
    return detail::TokenFromResponse(*outcome.result, deps_.env, context, kName);
  }

 private:
  IdentityOptions options_;
  Deps deps_;
};

}  // namespace

std::unique_ptr<TokenSource> MakeCloudShellSource(const IdentityOptions& options, Deps deps) {
  return std::make_unique<CloudShellSource>(options, deps);
}

}  // namespace agentboot::identity

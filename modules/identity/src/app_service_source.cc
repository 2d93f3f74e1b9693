// App Service, Functions and Container Apps (identity-contract §1.3, §1.4): the 2019-08-01 form
// with IDENTITY_ENDPOINT + IDENTITY_HEADER, else the legacy 2017-09-01 form with MSI_ENDPOINT +
// MSI_SECRET. Both are local endpoints answering GET with the resource in the query.
#include "agentboot/identity.h"

#include "retry.h"
#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "appservice";

struct Variant {
  std::string endpoint;
  std::string secret;
  bool legacy = false;  // 2017-09-01
};

class AppServiceSource final : public TokenSource {
 public:
  AppServiceSource(const IdentityOptions& options, Deps deps) : options_(options), deps_(deps) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kAppService; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    auto variant = Detect();
    if (!variant) return Fail(variant.error());
    const detail::Selector selector = detail::ResolveSelector(options_, deps_.env.vars);
    auto http_request = BuildRequest(*variant, request, selector);
    if (!http_request) return Fail(http_request.error());
    const std::string context = detail::RequestContext(kName, *http_request);
    detail::RetryRules rules;
    rules.family = detail::EndpointFamily::kManagedIdentity;
    auto outcome = detail::SendWithRetries(*http_request, rules, deps_.env, deps_.transport, kName);
    if (!outcome.result) {
      return Fail(detail::TransportFailure(outcome.result.error(), context,
                                           "the App Service identity endpoint"));
    }
    auto token = detail::TokenFromResponse(*outcome.result, deps_.env, context, kName);
    if (!token && (outcome.result->status == 400 || outcome.result->status == 404) &&
        selector.kind != detail::SelectorKind::kNone) {
      token.error().advice = "The App Service endpoint refused " +
                             detail::DescribeSelector(selector) +
                             ": assign that identity to the app or check the id.";
    }
    return token;
  }

 private:
  Result<Variant> Detect() const {
    const auto& vars = deps_.env.vars;
    auto endpoint = vars.GetNonEmpty("IDENTITY_ENDPOINT");
    auto header = vars.GetNonEmpty("IDENTITY_HEADER");
    if (endpoint && header) return Variant{*endpoint, *header, false};
    auto msi_endpoint = vars.GetNonEmpty("MSI_ENDPOINT");
    auto msi_secret = vars.GetNonEmpty("MSI_SECRET");
    if (msi_endpoint && msi_secret) return Variant{*msi_endpoint, *msi_secret, true};
    return Fail(detail::MissingEnvironment(
        kName, "IDENTITY_ENDPOINT and IDENTITY_HEADER (or MSI_ENDPOINT and MSI_SECRET)"));
  }

  static Result<http::Request> BuildRequest(const Variant& variant, const TokenRequest& request,
                                            const detail::Selector& selector) {
    std::string url =
        detail::AppendQuery(variant.endpoint, "resource", ResourceFromScope(request.resource));
    url = detail::AppendQuery(url, "api-version", variant.legacy ? "2017-09-01" : "2019-08-01");
    switch (selector.kind) {
      case detail::SelectorKind::kNone:
        break;
      case detail::SelectorKind::kClientId:
        // 2017 spells it clientid (§1.3).
        url = detail::AppendQuery(url, variant.legacy ? "clientid" : "client_id", selector.value);
        break;
      case detail::SelectorKind::kObjectId:
      case detail::SelectorKind::kResourceId:
        if (variant.legacy) {
          return Fail(ErrorCode::kInvalidArgument, "identity/appservice",
                      "the 2017-09-01 endpoint (MSI_ENDPOINT) selects identities by client id only",
                      "Select the user-assigned identity with --client-id.");
        }
        url = detail::AppendQuery(
            url, selector.kind == detail::SelectorKind::kObjectId ? "object_id" : "mi_res_id",
            selector.value);
        break;
    }
    http::Request out;
    out.method = "GET";
    out.url = std::move(url);
    out.headers = {{variant.legacy ? "secret" : "X-IDENTITY-HEADER", variant.secret}};
    out.bypass_proxy = true;  // a local endpoint
    return out;
  }

  IdentityOptions options_;
  Deps deps_;
};

}  // namespace

std::unique_ptr<TokenSource> MakeAppServiceSource(const IdentityOptions& options, Deps deps) {
  return std::make_unique<AppServiceSource>(options, deps);
}

}  // namespace agentboot::identity

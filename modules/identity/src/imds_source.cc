// Azure VM / VMSS managed identity through IMDS (identity-contract §1.2, §2).
#include <atomic>

#include "agentboot/identity.h"
#include "agentboot/imds.h"

#include "retry.h"
#include "source_common.h"

namespace agentboot::identity {
namespace {

constexpr std::string_view kName = "imds";

class ImdsSource final : public TokenSource {
 public:
  ImdsSource(const IdentityOptions& options, Deps deps, bool probe_first)
      : options_(options), deps_(deps), probe_first_(probe_first) {}

  std::string_view Name() const override { return kName; }
  SourceKind Kind() const override { return SourceKind::kImds; }

  Result<AccessToken> GetToken(const TokenRequest& request) override {
    const detail::Selector selector = detail::ResolveSelector(options_, deps_.env.vars);
    const http::Request http_request = BuildRequest(request, selector);
    const std::string context = detail::RequestContext(kName, http_request);
    detail::RetryRules rules;
    rules.family = detail::EndpointFamily::kImds;
    rules.probe = probe_first_ && !contacted_.load();
    rules.probe_connect_timeout = options_.imds_probe_timeout;
    auto outcome = detail::SendWithRetries(http_request, rules, deps_.env, deps_.transport, kName);
    if (outcome.answered) contacted_.store(true);
    if (!outcome.result) {
      if (rules.probe && !outcome.answered) {
        return Fail(
            ErrorCode::kUnavailable, context,
            "IMDS did not answer: " + outcome.result.error().detail,
            "This does not look like an Azure VM; choose a source with --identity if it is.");
      }
      return Fail(
          detail::TransportFailure(outcome.result.error(), context, "IMDS (" + Base() + ")"));
    }
    const http::Response& response = *outcome.result;
    if (response.status == 200) {
      return detail::TokenFromResponse(response, deps_.env, context, kName);
    }
    return Fail(Translate(response, context, selector, rules.probe, Base()));
  }

 private:
  // 169.254.169.254, or the override the advice must then name.
  std::string Base() const { return imds::ImdsBaseUrl(deps_.env.vars); }

  http::Request BuildRequest(const TokenRequest& request, const detail::Selector& selector) const {
    const std::string base = Base();
    std::string url = JoinUrl(base, "metadata/identity/oauth2/token");
    url = detail::AppendQuery(url, "api-version", "2018-02-01");
    url = detail::AppendQuery(url, "resource", ResourceFromScope(request.resource));
    switch (selector.kind) {
      case detail::SelectorKind::kNone:
        break;
      case detail::SelectorKind::kClientId:
        url = detail::AppendQuery(url, "client_id", selector.value);
        break;
      case detail::SelectorKind::kObjectId:
        url = detail::AppendQuery(url, "object_id", selector.value);
        break;
      // IMDS spells it msi_res_id, App Service mi_res_id (§1.2).
      case detail::SelectorKind::kResourceId:
        url = detail::AppendQuery(url, "msi_res_id", selector.value);
        break;
    }
    http::Request out;
    out.method = "GET";
    out.url = std::move(url);
    out.headers = {{"Metadata", "true"}};
    out.bypass_proxy = true;  // IMDS must never be reached through a proxy (§1.2)
    return out;
  }

  static Error Translate(const http::Response& response, const std::string& context,
                         const detail::Selector& selector, bool probing, const std::string& base) {
    const std::string summary = detail::ErrorSummary(response.body);
    Error error = detail::ManagedIdentityHttpError(response, context, "IMDS");
    if (response.status == 400 && summary.find("Identity not found") != std::string::npos) {
      if (selector.kind == detail::SelectorKind::kNone) {
        // Not an error of this host's identity: there is none. A chain moves on (§9).
        error.code = ErrorCode::kUnavailable;
        error.advice =
            "This VM has no system-assigned identity: enable one, or select a "
            "user-assigned identity with --client-id.";
      } else {
        error.code = ErrorCode::kUnauthenticated;
        error.advice = "IMDS does not know " + detail::DescribeSelector(selector) +
                       ": assign that identity to this VM or check the id.";
      }
    } else if (response.status == 400 && summary.find("bad_request_102") != std::string::npos) {
      error.code = ErrorCode::kInternal;
      error.advice =
          "Something between agentboot and IMDS dropped the Metadata header: IMDS must "
          "be reached directly, without a proxy.";
    } else if (response.status == 403 && response.body.find("unreachable") != std::string::npos) {
      error.code = ErrorCode::kUnavailable;  // Docker Desktop's proxy answers for 169.254.169.254
      error.advice =
          "IMDS is unreachable from here (a local proxy answered): run on an Azure VM or "
          "choose another source with --identity.";
    } else if (probing && !response.IsJson()) {
      error.code = ErrorCode::kUnavailable;
      error.advice =
          "Something other than IMDS answers on " + base + ": choose a source with --identity.";
    }
    return error;
  }

  IdentityOptions options_;
  Deps deps_;
  bool probe_first_;
  std::atomic<bool> contacted_{false};
};

}  // namespace

std::unique_ptr<TokenSource> MakeImdsSource(const IdentityOptions& options, Deps deps,
                                            bool probe_first) {
  return std::make_unique<ImdsSource>(options, deps, probe_first);
}

}  // namespace agentboot::identity

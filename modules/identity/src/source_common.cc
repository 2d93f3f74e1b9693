#include "source_common.h"

#include <nlohmann/json.hpp>

namespace agentboot::identity::detail {
namespace {
constexpr size_t kMaxSummary = 200;
}  // namespace

Status ValidateSelection(const IdentityOptions& options) {
  const int count = (options.client_id.empty() ? 0 : 1) + (options.object_id.empty() ? 0 : 1) +
                    (options.resource_id.empty() ? 0 : 1);
  if (count > 1) {
    return Fail(ErrorCode::kInvalidArgument, "identity: select a user-assigned identity",
                "more than one of client id, object id and resource id was given",
                "Give only one of --client-id, --object-id or --resource-id.");
  }
  return {};
}

Selector ResolveSelector(const IdentityOptions& options, const Environment& vars) {
  if (!options.client_id.empty()) return {SelectorKind::kClientId, options.client_id, true};
  if (!options.object_id.empty()) return {SelectorKind::kObjectId, options.object_id, true};
  if (!options.resource_id.empty()) return {SelectorKind::kResourceId, options.resource_id, true};
  if (auto id = vars.GetNonEmpty("AZURE_CLIENT_ID")) {
    return {SelectorKind::kClientId, Trim(*id), false};
  }
  return {};
}

std::string DescribeSelector(const Selector& selector) {
  switch (selector.kind) {
    case SelectorKind::kNone:
      return "the system-assigned identity";
    case SelectorKind::kClientId:
      return "the user-assigned identity with client id " + selector.value;
    case SelectorKind::kObjectId:
      return "the user-assigned identity with object id " + selector.value;
    case SelectorKind::kResourceId:
      return "the user-assigned identity " + selector.value;
  }
  return "an identity";
}

std::string AppendQuery(std::string url, std::string_view key, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += key;
  url += '=';
  url += UrlEncode(value);
  return url;
}

std::string RequestContext(std::string_view source, const http::Request& request) {
  return "identity/" + std::string(source) + ": " + request.method + " " +
         request.url.substr(0, request.url.find('?'));
}

Error MissingEnvironment(std::string_view source, std::string_view variables) {
  return MakeError(ErrorCode::kUnavailable, "identity/" + std::string(source),
                   "not configured on this host: " + std::string(variables) + " not set",
                   "Set " + std::string(variables) + " or choose another source with --identity.");
}

Error TransportFailure(const Error& error, std::string context, std::string_view endpoint_name) {
  const ErrorCode code = error.code == ErrorCode::kDeadlineExceeded  ? ErrorCode::kDeadlineExceeded
                         : error.code == ErrorCode::kInvalidArgument ? ErrorCode::kInvalidArgument
                                                                     : ErrorCode::kUnavailable;
  // The transport's own advice (an untrusted certificate, say) is more precise than ours.
  std::string advice = !error.advice.empty() ? error.advice
                                             : "Check that " + std::string(endpoint_name) +
                                                   " is reachable from this host without a proxy.";
  Error out = MakeError(code, std::move(context), error.detail, std::move(advice));
  out.retryable = error.retryable;
  out.origin = error.origin;  // an untrusted certificate stays one
  return out;
}

std::string ErrorSummary(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return {};
  std::string code;
  std::string message;
  const auto error = json.find("error");
  if (error != json.end() && error->is_string()) {
    code = *error;
    if (auto d = json.find("error_description"); d != json.end() && d->is_string()) message = *d;
  } else if (error != json.end() && error->is_object()) {  // Cloud Shell's nested form (§1.7)
    if (auto c = error->find("code"); c != error->end() && c->is_string()) code = *c;
    if (auto m = error->find("message"); m != error->end() && m->is_string()) message = *m;
  } else if (auto m = json.find("message"); m != json.end() && m->is_string()) {
    message = *m;  // App Service's vague 500 (§1.3)
  }
  message = message.substr(0, message.find_first_of("\r\n"));
  std::string summary = code.empty() ? message : message.empty() ? code : code + ": " + message;
  if (summary.size() > kMaxSummary) summary = summary.substr(0, kMaxSummary) + "…";
  return summary;
}

Error ManagedIdentityHttpError(const http::Response& response, std::string context,
                               std::string_view endpoint_name) {
  const int status = response.status;
  ErrorCode code = ErrorCode::kInternal;
  std::string advice =
      "Check the " + std::string(endpoint_name) + " logs; the answer was unexpected.";
  if (status == 400 || status == 401 || status == 403) {
    code = ErrorCode::kUnauthenticated;
    advice =
        "Check that the identity is assigned to this resource and that the selected id is right.";
  } else if (status == 429) {
    code = ErrorCode::kThrottled;
    advice = "Too many token requests: reduce how often tokens are requested on this host.";
  } else if (status == 404 || status == 410 || status >= 500) {
    code = ErrorCode::kUnavailable;
    advice = "The " + std::string(endpoint_name) + " is not answering properly: try again later.";
  }
  std::string detail = "HTTP " + std::to_string(status);
  if (const std::string summary = ErrorSummary(response.body); !summary.empty()) {
    detail += ": " + summary;
  }
  Error error = MakeError(code, std::move(context), std::move(detail), std::move(advice));
  error.http_status = status;
  return error;
}

Result<AccessToken> TokenFromResponse(const http::Response& response, Env& env, std::string context,
                                      std::string_view source) {
  if (response.status < 200 || response.status > 299) {
    return Fail(ManagedIdentityHttpError(response, std::move(context), source));
  }
  auto token = ParseTokenResponse(response.body, env.clock.Now(), source);
  if (!token) {
    Error error = token.error();
    error.context = std::move(context);
    return Fail(std::move(error));
  }
  env.log.Log(LogLevel::kDebug, "identity", "obtained an access token",
              {{"source", std::string(source)}, {"expires_on", FormatUtc(token->expires_on)}});
  return token;
}

}  // namespace agentboot::identity::detail

#include "aadsts_advice.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace agentboot::identity::detail {
namespace {

constexpr size_t kMaxDetail = 300;

struct Row {
  int64_t code;
  ErrorCode error_code;
  std::string_view advice;
};

constexpr std::string_view kSubjectAdvice =
    "The federated credential's subject does not match the token's sub (byte for byte, "
    "case-sensitive): for Kubernetes it must be system:serviceaccount:<namespace>:<service "
    "account>.";
constexpr std::string_view kSignatureAdvice =
    "Entra could not verify the token's signature: publish the service account signing key in the "
    "issuer's JWKS so that the token's kid is found there.";

constexpr Row kRows[] = {
    {70021, ErrorCode::kUnauthenticated,
     "No federated credential matches this token: make its issuer, subject and audience equal the "
     "token's iss, sub and aud byte for byte (mind the issuer's trailing slash); a new credential "
     "can take a few minutes to propagate."},
    {700211, ErrorCode::kUnauthenticated,
     "The federated credential's issuer does not match the token's iss: copy the cluster's issuer "
     "URL exactly, including or excluding the trailing slash as the token has it."},
    {700212, ErrorCode::kUnauthenticated,
     "The token's audience is wrong: use the projected service account token with audience "
     "api://AzureADTokenExchange (AZURE_FEDERATED_TOKEN_FILE), not the default token."},
    {700213, ErrorCode::kUnauthenticated, kSubjectAdvice},
    {7002137, ErrorCode::kUnauthenticated, kSubjectAdvice},
    {7002138, ErrorCode::kUnauthenticated, kSubjectAdvice},
    {700024, ErrorCode::kUnauthenticated,
     "The client assertion has expired: make sure the kubelet rotates the projected token file "
     "and that this host's clock is correct."},
    {90061, ErrorCode::kUnauthenticated,
     "Entra could not fetch the issuer's discovery document or JWKS: publish "
     "{issuer}/.well-known/openid-configuration and its jwks_uri on public HTTPS."},
    {700027, ErrorCode::kUnauthenticated, kSignatureAdvice},
    {50012, ErrorCode::kUnauthenticated, kSignatureAdvice},
    {900384, ErrorCode::kUnauthenticated, kSignatureAdvice},
    {700016, ErrorCode::kUnauthenticated,
     "Entra does not know this application in this tenant: check AZURE_CLIENT_ID and "
     "AZURE_TENANT_ID."},
    {90002, ErrorCode::kInvalidArgument,
     "The tenant was not found: check AZURE_TENANT_ID and that AZURE_AUTHORITY_HOST is the "
     "right cloud."},
    {500011, ErrorCode::kUnauthenticated,
     "Azure DevOps is not known in this tenant: connect the Azure DevOps organization to this "
     "Entra tenant or use the identity of the tenant it is connected to."},
    {70011, ErrorCode::kInvalidArgument,
     "Entra rejected the requested scope: use the Azure DevOps resource "
     "499b84ac-1321-427f-aa17-267ca6975798."},
    {7000112, ErrorCode::kUnauthenticated,
     "The application is disabled in this tenant: ask a tenant administrator to enable it."},
};

std::string Shorten(std::string text) {
  if (text.size() > kMaxDetail) text = text.substr(0, kMaxDetail) + "…";
  return text;
}

}  // namespace

std::optional<int64_t> ExtractAadstsCode(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded() && json.is_object()) {
    const auto codes = json.find("error_codes");
    if (codes != json.end() && codes->is_array() && !codes->empty() &&
        codes->front().is_number_integer()) {
      return codes->front().get<int64_t>();
    }
  }
  const size_t at = body.find("AADSTS");
  if (at == std::string_view::npos) return std::nullopt;
  size_t end = at + 6;
  while (end < body.size() && std::isdigit(static_cast<unsigned char>(body[end])) != 0) ++end;
  return ParseInt64(body.substr(at + 6, end - at - 6));
}

EntraAdvice AdviceForEntraError(std::optional<int64_t> aadsts, std::string_view oauth_error) {
  if (aadsts) {
    for (const auto& row : kRows) {
      if (row.code == *aadsts) return {row.error_code, std::string(row.advice)};
    }
  }
  if (oauth_error == "invalid_client" || oauth_error == "unauthorized_client") {
    return {ErrorCode::kUnauthenticated,
            "Entra refused this client: check AZURE_CLIENT_ID, AZURE_TENANT_ID and the federated "
            "credential on the application or managed identity."};
  }
  if (oauth_error == "invalid_scope" || oauth_error == "invalid_resource") {
    return {ErrorCode::kInvalidArgument,
            "Entra rejected the requested resource: use the Azure DevOps resource "
            "499b84ac-1321-427f-aa17-267ca6975798."};
  }
  return {ErrorCode::kUnauthenticated,
          "Entra refused the token exchange: look up the AADSTS code in the detail at "
          "https://login.microsoftonline.com/error."};
}

Error EntraError(const http::Response& response, std::string context) {
  std::string oauth_error;
  std::string description;
  const auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded() && json.is_object()) {
    if (auto e = json.find("error"); e != json.end() && e->is_string()) oauth_error = *e;
    if (auto d = json.find("error_description"); d != json.end() && d->is_string()) {
      description = *d;
    }
  }
  // Keep only the first line: the rest is trace and correlation ids.
  description = description.substr(0, description.find_first_of("\r\n"));
  const auto aadsts = ExtractAadstsCode(response.body);
  EntraAdvice advice = AdviceForEntraError(aadsts, oauth_error);
  if (response.status == 429) advice.code = ErrorCode::kThrottled;
  if (response.status >= 500) {
    advice = {ErrorCode::kUnavailable,
              "Entra did not answer properly: try again later and check the network path to "
              "AZURE_AUTHORITY_HOST."};
  }
  std::string detail = "HTTP " + std::to_string(response.status);
  if (!oauth_error.empty()) detail += " " + oauth_error;
  if (!description.empty()) detail += ": " + description;
  Error error = MakeError(advice.code, std::move(context), Shorten(std::move(detail)),
                          std::move(advice.advice));
  error.http_status = response.status;
  return error;
}

}  // namespace agentboot::identity::detail

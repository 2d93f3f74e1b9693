// Publishing the issuer's documents to Azure Blob Storage with a bearer token (Storage REST "Put
// Blob" and "Create Container"; learn.microsoft.com/rest/api/storageservices/put-blob and
// /create-container, "Authorize with Microsoft Entra ID"): no account key, no SAS.
#include <cctype>
#include <ctime>

#include "agentboot/oidc.h"

namespace agentboot::oidc {
namespace {

// RFC 1123 date for x-ms-date, which Storage requires on every authorized request.
std::string HttpDate(TimePoint now) {
  const std::time_t seconds = static_cast<std::time_t>(ToUnixSeconds(now));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  const size_t n = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, n);
}

bool IsStorageName(std::string_view name, size_t min, size_t max, bool allow_hyphen) {
  if (name.size() < min || name.size() > max) return false;
  for (const char c : name) {
    const bool ok = std::islower(static_cast<unsigned char>(c)) != 0 ||
                    std::isdigit(static_cast<unsigned char>(c)) != 0 || (allow_hyphen && c == '-');
    if (!ok) return false;
  }
  return name.front() != '-' && name.back() != '-' && name.find("--") == std::string_view::npos;
}

Status ValidateOptions(const PublishOptions& options) {
  if (options.endpoint.empty() && !IsStorageName(options.account, 3, 24, false)) {
    return Fail(ErrorCode::kInvalidArgument, "--account '" + options.account + "'",
                "is not a storage account name",
                "Use 3-24 lower-case letters and digits, or give --endpoint.");
  }
  if (!options.endpoint.empty() && !StartsWith(options.endpoint, "https://")) {
    return Fail(ErrorCode::kInvalidArgument, "--endpoint '" + options.endpoint + "'",
                "is not an https URL", "Storage accepts bearer tokens over HTTPS only.");
  }
  if (!IsStorageName(options.container, 3, 63, true)) {
    return Fail(ErrorCode::kInvalidArgument, "--container '" + options.container + "'",
                "is not a container name",
                "Use 3-63 lower-case letters, digits and single hyphens.");
  }
  return {};
}

std::string StorageErrorCode(const http::Response& response) {
  return response.Header("x-ms-error-code").value_or("");
}

Error StorageFailure(const std::string& context, const http::Response& response) {
  const std::string code = StorageErrorCode(response);
  const std::string detail =
      "status " + std::to_string(response.status) + (code.empty() ? "" : " " + code);
  Error error = MakeError(ErrorCode::kInternal, context, detail,
                          "Check the account, the container and the storage firewall.");
  if (response.status == 401) {
    error.code = ErrorCode::kUnauthenticated;
    error.advice = "Storage refused the token: check the identity's tenant and the account.";
  } else if (response.status == 403) {
    error.code = ErrorCode::kPermissionDenied;
    error.advice =
        "Grant the identity 'Storage Blob Data Contributor' on the container or account.";
  } else if (response.status == 404) {
    error.code = ErrorCode::kNotFound;
    error.advice = "Create the container first, or pass --create-container.";
  } else if (response.status == 409 && code == "PublicAccessNotPermitted") {
    error.code = ErrorCode::kPermissionDenied;
    error.advice =
        "Entra must read the documents anonymously: allow blob public access on the "
        "storage account (allowBlobPublicAccess).";
  } else if (response.status == 429 || response.status >= 500) {
    error.code = ErrorCode::kUnavailable;
    error.retryable = true;
    error.advice = "Storage is busy or unavailable: try again later.";
  }
  error.http_status = response.status;
  return error;
}

// A transport failure (no status) names the storage request, so callers can tell it from the
// identity's own failures.
Error Unreachable(const http::Request& request, Error error) {
  error.context = "PUT " + request.url;
  error.advice = "Check the storage endpoint, the network and the CA (--ca-file).";
  return error;
}

http::Request StorageRequest(const std::string& url, const Secret& token, Clock& clock) {
  http::Request request;
  request.method = "PUT";
  request.url = url;
  request.headers = {{"Authorization", "Bearer " + token.Reveal()},
                     {"x-ms-version", std::string(kStorageApiVersion)},
                     {"x-ms-date", HttpDate(clock.Now())}};
  return request;
}

// Create Container with public read access for blobs only (no listing). An existing container
// is fine: its access level is left as it is.
Result<bool> CreateContainer(http::Transport& transport, const std::string& url,
                             const Secret& token, Clock& clock) {
  http::Request request = StorageRequest(url + "?restype=container", token, clock);
  request.headers.emplace_back("x-ms-blob-public-access", "blob");
  auto response = transport.Send(request);
  if (!response) return Fail(Unreachable(request, response.error()));
  if (response->status == 201) return true;
  if (response->status == 409 && StorageErrorCode(*response) == "ContainerAlreadyExists") {
    return false;
  }
  return Fail(StorageFailure("PUT " + url + "?restype=container", *response));
}

Status PutBlob(http::Transport& transport, const std::string& url, const std::string& body,
               const Secret& token, Clock& clock) {
  http::Request request = StorageRequest(url, token, clock);
  request.headers.emplace_back("x-ms-blob-type", "BlockBlob");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  auto response = transport.Send(request);
  if (!response) return Fail(Unreachable(request, response.error()));
  if (response->status != 201) return Fail(StorageFailure("PUT " + url, *response));
  return {};
}

}  // namespace

Result<PublishResult> Publish(http::Transport& transport, identity::TokenSource& tokens,
                              Clock& clock, const PublishOptions& options) {
  if (auto valid = ValidateOptions(options); !valid) return Fail(valid.error());
  identity::TokenRequest token_request;
  token_request.resource = std::string(kStorageResource);
  auto token = tokens.GetToken(token_request);
  if (!token) return Fail(identity::IdentityError(token.error()));

  const std::string endpoint = options.endpoint.empty()
                                   ? "https://" + options.account + ".blob.core.windows.net"
                                   : options.endpoint;
  const std::string container_url = JoinUrl(endpoint, options.container);
  PublishResult result;
  result.issuer = container_url + "/";
  result.discovery_url = JoinUrl(container_url, kDiscoveryPath);
  result.jwks_url = JoinUrl(container_url, kJwksPath);
  if (options.create_container) {
    auto created = CreateContainer(transport, container_url, token->token, clock);
    if (!created) return Fail(created.error());
    result.container_created = *created;
  }
  // The JWKS first: a discovery document must never point at a JWKS that is not there yet.
  if (auto put = PutBlob(transport, result.jwks_url, options.jwks_json, token->token, clock);
      !put) {
    return Fail(put.error());
  }
  if (auto put =
          PutBlob(transport, result.discovery_url, options.discovery_json, token->token, clock);
      !put) {
    return Fail(put.error());
  }
  return result;
}

}  // namespace agentboot::oidc

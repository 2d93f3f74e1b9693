// agentboot::oidc — a self-hosted OIDC issuer for Kubernetes workload identity federation outside
// Azure: service-account signing keys, the discovery document and JWKS (byte-compatible with
// `azwi jwks`), publishing both to Blob Storage with a bearer token, projected-service-account
// style tokens, and the checks Entra applies to a federated identity credential.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/http.h"
#include "agentboot/identity.h"
#include "agentboot/jose.h"

namespace agentboot::oidc {

inline constexpr std::string_view kRecommendedAudience = "api://AzureADTokenExchange";
inline constexpr std::string_view kStorageResource = "https://storage.azure.com";
inline constexpr std::string_view kDiscoveryPath = ".well-known/openid-configuration";
inline constexpr std::string_view kJwksPath = "openid/v1/jwks";
// Azure Storage REST version sent as x-ms-version (Put Blob, Create Container).
inline constexpr std::string_view kStorageApiVersion = "2021-08-06";

// ---------------------------------------------------------------------------------------------
// Keys

// Every RSA key in a PEM text, as client-go's keyutil.ParsePublicKeysPEM accepts them: private
// keys (PKCS#1, PKCS#8), PKIX public keys and certificates; other blocks are skipped. PKCS#1
// "RSA PUBLIC KEY" blocks are refused, as Kubernetes and azwi refuse them. kInvalidArgument when
// the text holds no usable key; `context` names the source in errors.
[[nodiscard]] Result<std::vector<jose::RsaKey>> ParseKeys(std::string_view pem,
                                                          std::string_view context);
[[nodiscard]] Result<std::vector<jose::RsaKey>> LoadKeys(FileSystem& fs, const std::string& path);

struct KeyFiles {
  std::string kid;
  std::string private_path;  // empty when only the public key was known
  std::string public_path;
};
// Writes `key` into `dir` as sa-<first 12 characters of kid>.key (PKCS#8, 0600) and .pub (PKIX,
// 0644), atomically. kAlreadyExists rather than overwrite a file.
[[nodiscard]] Result<KeyFiles> WriteKeyFiles(FileSystem& fs, const std::string& dir,
                                             const jose::RsaKey& key);

// ---------------------------------------------------------------------------------------------
// Documents

// An issuer URL Entra and the API server can agree on: https, a host, no whitespace, no query or
// fragment. kInvalidArgument with the reason otherwise.
[[nodiscard]] Status ValidateIssuer(std::string_view issuer);
// `issuer` without trailing slashes + "/openid/v1/jwks" (the API server's own jwks_uri).
std::string JwksUri(std::string_view issuer);
// The discovery document the azwi self-managed-cluster guide publishes: issuer, jwks_uri,
// response_types_supported, subject_types_supported, id_token_signing_alg_values_supported;
// 2-space indent, no trailing newline.
[[nodiscard]] Result<std::string> DiscoveryDocument(std::string_view issuer);
// The JWKS exactly as `azwi jwks` prints it (see jose::AzwiJwks).
std::string Jwks(const std::vector<jose::RsaKey>& keys);

// ---------------------------------------------------------------------------------------------
// Publish to Blob Storage with agentboot's own identity (no account key, no SAS)

struct PublishOptions {
  std::string account;
  std::string container;
  std::string
      endpoint;  // the account's blob endpoint; default https://<account>.blob.core.windows.net
  std::string discovery_json;
  std::string jwks_json;
  bool create_container = false;  // create it with public read access to blobs first
};
struct PublishResult {
  std::string issuer;  // <endpoint>/<container>/ : what the discovery document must name
  std::string discovery_url;
  std::string jwks_url;
  bool container_created = false;
};
// PUTs both documents as block blobs (Content-Type application/json) with a bearer token for
// https://storage.azure.com from `tokens`. Errors name the failing blob and say which role or
// setting is missing (403: Storage Blob Data Contributor; 409 on create: public access disabled).
[[nodiscard]] Result<PublishResult> Publish(http::Transport& transport,
                                            identity::TokenSource& tokens, Clock& clock,
                                            const PublishOptions& options);

// ---------------------------------------------------------------------------------------------
// Service-account tokens

struct ServiceAccountTokenSpec {
  std::string issuer;
  std::string subject;  // system:serviceaccount:<namespace>:<name>
  std::string audience{kRecommendedAudience};
  std::chrono::seconds lifetime{3600};
};
// A token shaped like kubelet's projected service-account token: header alg RS256 + kid (the
// JWKS kid of `key`); claims aud (array), exp, iat, iss, jti, kubernetes.io, nbf, sub.
[[nodiscard]] Result<std::string> MintServiceAccountToken(const jose::RsaKey& key,
                                                          const ServiceAccountTokenSpec& spec,
                                                          int64_t now, Random& random);

// ---------------------------------------------------------------------------------------------
// Federated credential check (`agentboot oidc check`, `agentboot doctor`)

struct FederatedCredential {
  std::string issuer;
  std::string subject;
  std::vector<std::string> audiences;
};

enum class Severity { kError, kWarning };

struct Finding {
  Severity severity = Severity::kError;
  std::string field;    // "issuer", "subject", "audience", "token", "issuer documents", …
  std::string message;  // what is wrong and what to do, one or two sentences
};

// {"namespace", "name"} of a system:serviceaccount:<namespace>:<name> subject.
std::optional<std::pair<std::string, std::string>> KubernetesServiceAccount(
    std::string_view subject);

// The definition alone: whitespace, https, length, trailing slash, case of Kubernetes names,
// wildcards, exactly one audience and the recommended one.
std::vector<Finding> CheckDefinition(const FederatedCredential& credential);
// A token's claims against the definition, byte for byte as Entra matches them, with the likely
// cause (trailing slash, whitespace, case) named; plus alg, kid and the time window at `now`.
std::vector<Finding> CompareClaims(const FederatedCredential& credential, const jose::Jwt& token,
                                   int64_t now);
// What Entra does next: GET <iss without trailing '/'>/.well-known/openid-configuration, check
// its issuer and jwks_uri, GET the JWKS, find the token's kid, verify the RS256 signature.
std::vector<Finding> VerifyWithIssuer(http::Transport& transport, std::string_view token,
                                      const jose::Jwt& decoded, int64_t now);

struct CheckReport {
  std::vector<Finding> findings;
  std::optional<nlohmann::json> claims;  // the token's claims, when a token was given
  bool ok() const;                       // no kError finding
};
// All of the above: the definition, and when `token` is given its claims and (when `transport` is
// not null) the issuer's documents and the signature.
CheckReport CheckFederatedCredential(const FederatedCredential& credential,
                                     const std::optional<std::string>& token,
                                     http::Transport* transport, int64_t now);

// The credential to create: the token's iss, sub and first aud when claims are given (that is what
// Entra will be shown), else `credential` with surrounding whitespace removed.
FederatedCredential SuggestedCredential(const FederatedCredential& credential,
                                        const std::optional<nlohmann::json>& claims);
// Commands that create the credential: Azure CLI for a user-assigned identity, and Bicep.
std::string AzCliSnippet(const FederatedCredential& credential);
std::string BicepSnippet(const FederatedCredential& credential);

}  // namespace agentboot::oidc

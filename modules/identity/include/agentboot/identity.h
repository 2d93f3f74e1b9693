// agentboot::identity — Microsoft Entra access tokens from whatever identity the host has, without
// a stored secret: one TokenSource per host type, a chain that picks one from the environment the
// way the Azure SDKs do, and a cache that refreshes early and survives identity outages.
// Wire facts: shared/spec/identity-contract.md (cited below as §n).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::identity {

// Azure DevOps' application id (§6.1). Managed identity endpoints take it as `resource`; Entra v2
// takes `<resource>/.default` as `scope`.
inline constexpr std::string_view kAzureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798";

struct TokenRequest {
  std::string resource{kAzureDevOpsResource};  // v1 resource; scope = resource + "/.default"
  std::string Scope() const;                   // "<resource>/.default" unless it already has a '/'
};
// "x/.default" -> "x"; anything else unchanged.
std::string ResourceFromScope(std::string_view scope);

struct AccessToken {
  Secret token;
  TimePoint expires_on;                 // the real expiry, never overwritten
  std::optional<TimePoint> refresh_on;  // when the source asked to refresh (refresh_in), if it did
  std::string source;                   // Name() of the source that issued it
  bool is_pat = false;  // a PAT (--identity pat): Azure DevOps wants it as Basic, not Bearer
};

// Which kind of identity a source is: decisions (IMDS-only features, the default agent name) read
// this, never Name(). kAuto is the chain before it has picked a source, or a source that is none
// of these (a test double).
enum class SourceKind { kAuto, kImds, kAppService, kArc, kCloudShell, kWorkload, kAzCli, kPat };
[[nodiscard]] Result<SourceKind> ParseSourceKind(std::string_view text);  // "auto", "imds", …
std::string_view SourceKindName(SourceKind kind);

// A source of tokens. GetToken either returns a token or an Error:
//   kUnavailable      this source is not present here (its environment variables are missing, or
//                     the endpoint does not answer); a chain moves on to the next source
//   kUnauthenticated  the identity exists but was refused (AADSTS…, not assigned, not logged in)
//   kInvalidArgument  configuration is wrong (malformed value, whitespace in a variable, …)
//   kThrottled / kDeadlineExceeded / kInternal as usual, after the source's own retries
// Every error carries one actionable sentence in `advice`. Sources are not copyable and may be
// called from several threads (each call is independent; caching is CachedSource's job).
class TokenSource {
 public:
  TokenSource() = default;
  TokenSource(const TokenSource&) = delete;
  TokenSource& operator=(const TokenSource&) = delete;
  virtual ~TokenSource() = default;
  virtual std::string_view Name() const = 0;  // "imds", "appservice", "workload", "azcli", …
  virtual SourceKind Kind() const = 0;        // for decisions; Name() is for printing
  [[nodiscard]] virtual Result<AccessToken> GetToken(const TokenRequest& request) = 0;
};

struct IdentityOptions {
  SourceKind kind = SourceKind::kAuto;
  // User-assigned managed identity selection: at most one of these (kInvalidArgument otherwise).
  // Also read from AZURE_CLIENT_ID when none is given and the source is managed identity.
  std::string client_id;
  std::string object_id;
  std::string resource_id;
  // Azure Arc key directory (§1.6): /var/opt/azcmagent/tokens unless overridden (tests).
  std::string arc_key_directory = "/var/opt/azcmagent/tokens";
  std::string az_path = "az";  // Azure CLI program
  Duration az_timeout{std::chrono::seconds(13)};
  // IMDS first contact inside the auto chain (§2.3): short connect timeout, no retries.
  Duration imds_probe_timeout{std::chrono::seconds(1)};
};

// What a source needs from the outside world. All references must outlive the source.
struct Deps {
  Env& env;
  http::Transport& transport;
};

// Builds the source for options.kind (the chain for kAuto). Only configuration is validated here;
// nothing is sent until GetToken.
[[nodiscard]] Result<std::unique_ptr<TokenSource>> MakeSource(const IdentityOptions& options,
                                                              Deps deps);

// Individual sources (MakeSource uses these; exposed for tests and for composition).
std::unique_ptr<TokenSource> MakeImdsSource(const IdentityOptions& options, Deps deps,
                                            bool probe_first);
std::unique_ptr<TokenSource> MakeAppServiceSource(const IdentityOptions& options, Deps deps);
std::unique_ptr<TokenSource> MakeArcSource(const IdentityOptions& options, Deps deps);
std::unique_ptr<TokenSource> MakeCloudShellSource(const IdentityOptions& options, Deps deps);
std::unique_ptr<TokenSource> MakeWorkloadSource(const IdentityOptions& options, Deps deps);
std::unique_ptr<TokenSource> MakeAzCliSource(const IdentityOptions& options, Deps deps);
std::unique_ptr<TokenSource> MakePatSource(const IdentityOptions& options, Deps deps);

// Marks an error as the identity's (ErrorOrigin::kIdentity) unless its origin is known already (an
// untrusted certificate stays kTls). The chain and the cache apply it to what their sources
// return, and a caller that learns a token failed (the Azure DevOps client) may too.
inline Error IdentityError(Error error) {
  if (error.origin == ErrorOrigin::kUnspecified) error.origin = ErrorOrigin::kIdentity;
  return error;
}

// Tries sources in order; moves on only when a source answers kUnavailable; remembers the first
// source that succeeded and uses only it from then on. Logs each skipped source.
class ChainSource final : public TokenSource {
 public:
  ChainSource(std::vector<std::unique_ptr<TokenSource>> sources, Logger& log);
  std::string_view Name() const override;  // the pinned source's name, or "auto"
  SourceKind Kind() const override;        // the pinned source's kind, or kAuto
  Result<AccessToken> GetToken(const TokenRequest& request) override;

 private:
  Result<AccessToken> FirstToken(const TokenRequest& request);  // GetToken, origin not yet set

  std::vector<std::unique_ptr<TokenSource>> sources_;
  Logger& log_;
  mutable Mutex mu_;
  TokenSource* pinned_ GUARDED_BY(mu_) = nullptr;
  std::string name_ GUARDED_BY(mu_) = "auto";
};

// ---------------------------------------------------------------------------------------------
// Token JSON parsing (pure; §1.2, §4.3, §8). Accepts expires_in/expires_on as numbers or numeric
// strings, expires_on as RFC 3339 / RFC 1123 / "M/d/yyyy h:mm:ss tt +00:00", a relative value
// below 978307200 as seconds from now, and refresh_in.
[[nodiscard]] Result<AccessToken> ParseTokenResponse(std::string_view body, TimePoint now,
                                                     std::string_view source);

// ---------------------------------------------------------------------------------------------
// The cache (in memory only, never on disk).
//
// Refresh rule: refresh_in when the source gave it; else half the lifetime when the lifetime
// exceeds 2 h; else 5 minutes before expiry. A jitter of up to `max_jitter` (never more than a
// tenth of the lifetime) moves the refresh earlier, so a fleet does not refresh at once.
// When a refresh fails while the old token is valid (with `expiry_margin` to spare), the old
// token is returned and the next attempt waits an exponential backoff (retry_initial doubling up
// to retry_max). Thread-safe: concurrent callers cause one fetch.
struct CacheOptions {
  Duration max_jitter{std::chrono::minutes(5)};
  Duration expiry_margin{std::chrono::minutes(2)};  // a token this close to expiry is not served
  Duration retry_initial{std::chrono::seconds(30)};
  Duration retry_max{std::chrono::minutes(10)};
};

struct CacheStatus {
  std::optional<TimePoint> expires_on;
  std::optional<TimePoint> refresh_at;  // jittered
  int consecutive_failures = 0;
  std::optional<TimePoint> next_retry;
  std::string source;
};

class CachedSource final : public TokenSource {
 public:
  CachedSource(TokenSource& inner, Clock& clock, Random& random, Logger& log,
               CacheOptions options = {});
  ~CachedSource() override;
  std::string_view Name() const override;
  SourceKind Kind() const override;
  Result<AccessToken> GetToken(const TokenRequest& request) override;
  CacheStatus Status(const TokenRequest& request) const;  // for metrics and health

  struct State;  // private to the implementation
 private:
  TokenSource& inner_;
  Clock& clock_;
  Random& random_;
  Logger& log_;
  CacheOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace agentboot::identity

// Internal to modules/sim: the request/response types handlers see, the router, and the shared
// simulator context (signing keys, token issuance and verification, the clock). Handler groups
// live in their own files and register themselves through Register*Routes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/jose.h"
#include "agentboot/sim.h"

#include "imds_limits.h"

namespace agentboot::sim::detail {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string path;          // decoded path without query, e.g. "/sim/_apis/connectionData"
  std::string query_string;  // raw, without '?'
  std::map<std::string, std::string> query;  // decoded; last value wins
  HeaderList headers;
  std::string body;
  bool tls = false;
  std::vector<std::string> params;  // regex captures of the matched route

  std::optional<std::string> Header(std::string_view name) const;  // case-insensitive
  std::optional<std::string> Query(const std::string& name) const;
  std::map<std::string, std::string> Form() const;  // application/x-www-form-urlencoded body
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;
  std::string body;

  static HttpResponse Json(int status, const nlohmann::json& body);
  static HttpResponse Text(int status, std::string content_type, std::string body);
  static HttpResponse Empty(int status);
  HttpResponse& With(std::string name, std::string value);
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class SimContext;
class RequestJournal;

// A handler may name the identity a token was issued to with this response header; Dispatch
// moves it into the request log and strips it from the answer.
inline constexpr std::string_view kIdentityLogHeader = "X-Agentboot-Sim-Identity";

// Routes by method ("*" = any) and a regex over the whole path. The first match wins; captures
// go to HttpRequest::params. Unknown paths get a 404 wrapped-exception JSON body. Faults from the
// control API are applied before the handler runs, and every request is logged.
class Router {
 public:
  Router() = default;
  // With a context, Dispatch applies its faults, records the request log and skips neither for
  // /_control/ paths (the control API is never faulted or logged).
  explicit Router(const SimContext* context) : context_(context) {}
  void Add(std::string method, const std::string& path_regex, Handler handler);
  HttpResponse Dispatch(HttpRequest request) const;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Handler handler;
  };
  std::vector<Route> routes_;
  const SimContext* context_ = nullptr;
};

// One recorded request (the control API's request log).
struct LoggedRequest {
  int64_t sequence = 0;
  std::string method;
  std::string path;
  std::string query_string;
  int status = 0;
  std::string identity;  // oid of the bearer token's subject, when known
  TimePoint at;
};

// A scripted fault: requests whose path starts with `path_prefix` (and method matches, "*" = any)
// are answered with the queued statuses one by one (0 = pass through), after `latency`.
// During [outage_from, outage_until) every matching request gets `outage_status`.
struct Fault {
  std::string method = "*";
  std::string path_prefix;
  std::vector<int> statuses;
  HeaderList headers;  // added to faulted answers (e.g. Retry-After)
  Duration latency{0};
  std::optional<TimePoint> outage_from;
  std::optional<TimePoint> outage_until;
  int outage_status = 503;
};

// What the fault table decided for one request: wait `latency`, then answer `response` instead of
// the handler when set.
struct FaultOutcome {
  Duration latency{0};
  std::optional<HttpResponse> response;
};

// A federated identity credential (FIC) on an app or user-assigned identity. Matching is
// byte-exact, like Entra's.
struct FederatedCredential {
  std::string client_id;
  std::string name;
  std::string issuer;
  std::string subject;
  std::vector<std::string> audiences{"api://AzureADTokenExchange"};
};

// A managed or workload identity the simulated tenant knows.
struct SimIdentity {
  std::string kind;       // "system", "user", "workload"
  std::string client_id;  // appid
  std::string object_id;  // oid
  std::string resource_id;
};

// IMDS instance metadata and scheduled events state (control API + /metadata routes).
class ImdsState {
 public:
  ImdsState();
  nlohmann::json Compute() const;
  void UpdateCompute(const nlohmann::json& fields);  // merges string fields
  nlohmann::json EventsDocument() const;             // {"DocumentIncarnation":n,"Events":[…]}
  std::string AddEvent(const nlohmann::json& spec, TimePoint now);  // returns EventId
  // Marks the events started; false when one id is unknown (nothing changes then).
  bool StartEvents(const std::vector<std::string>& event_ids, TimePoint now);
  nlohmann::json Acks() const;
  void ClearEvents();
  ImdsLimits& limits() { return limits_; }  // off unless configured (control API, --imds-limits)

 private:
  ImdsLimits limits_;
  mutable Mutex mu_;
  nlohmann::json compute_ GUARDED_BY(mu_);
  int64_t incarnation_ GUARDED_BY(mu_) = 1;
  nlohmann::json events_ GUARDED_BY(mu_) = nlohmann::json::array();
  nlohmann::json acks_ GUARDED_BY(mu_) = nlohmann::json::array();
};

// Shared state. All members are thread-safe.
class SimContext {
 public:
  SimContext(SimConfig config, jose::RsaKey entra_key, jose::RsaKey issuer_key);
  ~SimContext();
  SimContext(const SimContext&) = delete;
  SimContext& operator=(const SimContext&) = delete;

  const SimConfig& config() const { return config_; }
  std::string http_base() const;   // http://127.0.0.1:<port>
  std::string https_base() const;  // https://127.0.0.1:<port>
  void SetPorts(uint16_t http_port, uint16_t https_port);
  TimePoint Now() const;           // real time plus the control API's clock offset
  void AdvanceClock(Duration by);  // control API: accelerate time (outage tests)

  // Identities of the simulated tenant (system-assigned MI, a user-assigned MI, a workload app).
  std::vector<SimIdentity> identities() const;
  std::optional<SimIdentity> FindIdentity(const std::string& client_id,
                                          const std::string& object_id,
                                          const std::string& resource_id) const;
  void AddIdentity(SimIdentity identity);
  // Managed identity selection as IMDS/App Service do it: all selectors empty → the
  // system-assigned identity; otherwise the system/user identity matching the one given.
  std::optional<SimIdentity> FindManagedIdentity(const std::string& client_id,
                                                 const std::string& object_id,
                                                 const std::string& resource_id) const;

  // Workload identity federation: FICs per client_id, and the simulated Kubernetes issuer.
  void AddFederatedCredential(FederatedCredential credential);
  std::vector<FederatedCredential> FederatedCredentials(const std::string& client_id) const;
  std::string oidc_issuer() const;  // https://127.0.0.1:<tls port>/oidc/ (trailing slash)

  // Files under the state directory.
  std::string ca_file() const;              // <state_dir>/ca.pem
  std::string arc_key_dir() const;          // <state_dir>/arc-tokens
  std::string workload_token_file() const;  // <state_dir>/workload/azure-identity-token
  // The App Service secret (IDENTITY_HEADER, also the 2017 MSI_SECRET).
  const std::string& identity_header() const { return identity_header_; }
  ImdsState& imds() const { return imds_; }

  // Entra: an RS256 access token for `identity` with aud = `resource`, iss
  // https://sts.windows.net/<tenant>/, tid, oid, appid, azp, iat, nbf, exp = now + lifetime.
  std::string IssueAccessToken(const SimIdentity& identity, const std::string& resource,
                               std::chrono::seconds lifetime) const;
  // Verifies a token from IssueAccessToken (signature, exp, nbf, aud). Claims on success.
  std::optional<nlohmann::json> VerifyAccessToken(std::string_view token,
                                                  std::string_view audience) const;
  const jose::RsaKey& entra_key() const { return entra_key_; }
  // The simulated OIDC issuer for workload identity (Kubernetes service account tokens).
  const jose::RsaKey& issuer_key() const { return issuer_key_; }

  // Faults and the request log (control API).
  void AddFault(Fault fault);
  void ClearFaults();
  // Returns the faulted answer for this request, if any (consumes one scripted status).
  std::optional<HttpResponse> TakeFault(const HttpRequest& request) const;
  // Same decision with the latency to apply (also for pass-through answers).
  FaultOutcome ApplyFaults(const HttpRequest& request) const;
  void Record(LoggedRequest entry) const;
  std::vector<LoggedRequest> RequestLog() const;  // the kept entries (config.request_log_capacity)
  void ClearRequestLog();
  const RequestJournal& request_journal() const { return *journal_; }

  // Figures for GET /_control/stats: each source adds one member ("http", "devops", ...).
  void AddStatsSource(std::string name, std::function<nlohmann::json()> source);
  nlohmann::json Stats() const;

  // Simulator::Stop runs these before stopping the listeners, so handlers blocked in a long
  // poll answer at once instead of holding the server threads.
  void AddStopHook(std::function<void()> hook);
  void RunStopHooks() const;

 private:
  SimConfig config_;
  jose::RsaKey entra_key_;
  jose::RsaKey issuer_key_;
  mutable Mutex mu_;
  uint16_t http_port_ GUARDED_BY(mu_) = 0;
  uint16_t https_port_ GUARDED_BY(mu_) = 0;
  Duration clock_offset_ GUARDED_BY(mu_){0};
  std::vector<SimIdentity> identities_ GUARDED_BY(mu_);
  mutable std::vector<Fault> faults_ GUARDED_BY(mu_);
  const std::unique_ptr<RequestJournal> journal_;  // thread-safe itself
  std::vector<std::pair<std::string, std::function<nlohmann::json()>>> stats_sources_
      GUARDED_BY(mu_);
  std::vector<FederatedCredential> federated_ GUARDED_BY(mu_);
  const std::string identity_header_;
  mutable ImdsState imds_;  // thread-safe itself
  std::vector<std::function<void()>> stop_hooks_ GUARDED_BY(mu_);
};

// The resource an access token is for, as Entra would put it in `aud`: "/.default" and a trailing
// '/' are dropped and Azure DevOps' URI form maps to its application id.
std::string NormalizeResource(std::string_view resource_or_scope);

// Azure DevOps' application (resource) id.
inline constexpr std::string_view kAzureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798";

// Decodes "a=1&b=x%20y" (last value wins).
std::map<std::string, std::string> ParseQueryString(std::string_view query);

// Random lower-case hex from OpenSSL's generator (secrets, ids).
std::string RandomHex(size_t bytes);
std::string RandomGuid();

// Unix seconds as a decimal string (IMDS style).
std::string UnixString(TimePoint t);

// Timestamps in the formats some endpoints use.
std::string FormatRfc1123(TimePoint t);         // "Mon, 11 Apr 2026 22:26:58 GMT"
std::string FormatAppService2017(TimePoint t);  // "11/5/2021 3:18:31 PM +00:00"

// A client assertion that failed federated credential matching: AADSTS code, OAuth error and the
// message Entra puts before "\r\nTrace ID".
struct AssertionFailure {
  int code = 0;
  std::string error;
  std::string message;
};

// Pure: checks a decoded assertion's exp/nbf against `now` (Unix seconds) and its iss/sub/aud
// against the FICs of the client, byte for byte. nullopt when one FIC matches. Signature checking
// is separate (it needs the issuer's JWKS).
std::optional<AssertionFailure> MatchAssertion(const nlohmann::json& claims,
                                               const std::vector<FederatedCredential>& credentials,
                                               int64_t now);

// Mints a service-account token as the simulated Kubernetes issuer would and writes it
// atomically to `path` (default: the context's workload token file).
struct WorkloadTokenSpec {
  std::string subject = "system:serviceaccount:agents:agentboot";
  std::string audience = "api://AzureADTokenExchange";
  std::string issuer;  // empty: the context's oidc_issuer()
  std::chrono::seconds lifetime{3600};
  std::string path;
};
struct MintedWorkloadToken {
  std::string path;
  TimePoint expires_on;
};
[[nodiscard]] Result<MintedWorkloadToken> MintWorkloadToken(const SimContext& context,
                                                            const WorkloadTokenSpec& spec);

// Handler groups. Each registers its routes; order of registration is order of matching.
void RegisterControlRoutes(Router& router, SimContext& context);
void RegisterImdsRoutes(Router& router, SimContext& context);
void RegisterAppServiceRoutes(Router& router, SimContext& context);
void RegisterArcRoutes(Router& router, SimContext& context);
void RegisterCloudShellRoutes(Router& router, SimContext& context);
void RegisterEntraRoutes(Router& router, SimContext& context);
void RegisterDevOpsRoutes(Router& router, SimContext& context);
// The process's threads, RSS and peak RSS in kB (GET /_control/stats).
nlohmann::json ProcessStats();

// The variables Simulator::EnvVars returns.
std::map<std::string, std::string> BuildEnvVars(const SimContext& context);

// The simulated Kubernetes issuer (/oidc/…); RegisterEntraRoutes calls it.
void RegisterOidcIssuerRoutes(Router& router, SimContext& context);

}  // namespace agentboot::sim::detail

// Internal to modules/sim: the request/response types handlers see, the router, and the shared
// simulator context (signing keys, token issuance and verification, the clock). Handler groups
// live in their own files and register themselves through Register*Routes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/jose.h"
#include "agentboot/sim.h"

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

// Routes by method ("*" = any) and a regex over the whole path. The first match wins; captures
// go to HttpRequest::params. Unknown paths get a 404 wrapped-exception JSON body. Faults from the
// control API are applied before the handler runs, and every request is logged.
class Router {
 public:
  void Add(std::string method, const std::string& path_regex, Handler handler);
  HttpResponse Dispatch(HttpRequest request) const;

 private:
  struct Route {
    std::string method;
    std::regex pattern;
    Handler handler;
  };
  std::vector<Route> routes_;
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

// A managed or workload identity the simulated tenant knows.
struct SimIdentity {
  std::string kind;       // "system", "user", "workload"
  std::string client_id;  // appid
  std::string object_id;  // oid
  std::string resource_id;
};

// Shared state. All members are thread-safe.
class SimContext {
 public:
  SimContext(SimConfig config, jose::RsaKey entra_key, jose::RsaKey issuer_key);

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
  void Record(LoggedRequest entry) const;
  std::vector<LoggedRequest> RequestLog() const;
  void ClearRequestLog();

 private:
  SimConfig config_;
  jose::RsaKey entra_key_;
  jose::RsaKey issuer_key_;
  mutable std::mutex mu_;
  uint16_t http_port_ = 0;
  uint16_t https_port_ = 0;
  Duration clock_offset_{0};
  std::vector<SimIdentity> identities_;
  mutable std::vector<Fault> faults_;
  mutable std::vector<LoggedRequest> log_;
  mutable int64_t sequence_ = 0;
};

// Handler groups. Each registers its routes; order of registration is order of matching.
void RegisterControlRoutes(Router& router, SimContext& context);
void RegisterImdsRoutes(Router& router, SimContext& context);
void RegisterAppServiceRoutes(Router& router, SimContext& context);
void RegisterArcRoutes(Router& router, SimContext& context);
void RegisterCloudShellRoutes(Router& router, SimContext& context);
void RegisterEntraRoutes(Router& router, SimContext& context);
void RegisterDevOpsRoutes(Router& router, SimContext& context);

}  // namespace agentboot::sim::detail

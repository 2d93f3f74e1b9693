// SimContext: identities, federated credentials, token issuance, clock, faults, request log.
#include <algorithm>

#include "request_journal.h"
#include "sim_internal.h"

namespace agentboot::sim::detail {

SimContext::SimContext(SimConfig config, jose::RsaKey entra_key, jose::RsaKey issuer_key)
    : config_(std::move(config)),
      entra_key_(std::move(entra_key)),
      issuer_key_(std::move(issuer_key)),
      journal_(std::make_unique<RequestJournal>(config_.request_log_capacity)),
      identity_header_(RandomHex(16)) {
  identities_.push_back(SimIdentity{"system", std::string(kSystemAssignedClientId),
                                    std::string(kSystemAssignedObjectId),
                                    std::string(kSystemAssignedResourceId)});
  identities_.push_back(SimIdentity{"user", std::string(kUserAssignedClientId),
                                    std::string(kUserAssignedObjectId),
                                    std::string(kUserAssignedResourceId)});
  identities_.push_back(
      SimIdentity{"workload", std::string(kWorkloadClientId), std::string(kWorkloadObjectId), ""});
  imds_.limits().Configure(ImdsLimitSettings{.enabled = config_.imds_limits});
}

SimContext::~SimContext() = default;

std::string SimContext::http_base() const {
  MutexLock lock(mu_);
  return "http://" + config_.host + ":" + std::to_string(http_port_);
}

std::string SimContext::https_base() const {
  MutexLock lock(mu_);
  return "https://" + config_.host + ":" + std::to_string(https_port_);
}

void SimContext::SetPorts(uint16_t http_port, uint16_t https_port) {
  MutexLock lock(mu_);
  http_port_ = http_port;
  https_port_ = https_port;
}

TimePoint SimContext::Now() const {
  const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  MutexLock lock(mu_);
  return now + clock_offset_;
}

void SimContext::AdvanceClock(Duration by) {
  MutexLock lock(mu_);
  clock_offset_ += by;
}

std::vector<SimIdentity> SimContext::identities() const {
  MutexLock lock(mu_);
  return identities_;
}

std::optional<SimIdentity> SimContext::FindIdentity(const std::string& client_id,
                                                    const std::string& object_id,
                                                    const std::string& resource_id) const {
  if (client_id.empty() && object_id.empty() && resource_id.empty()) return std::nullopt;
  MutexLock lock(mu_);
  for (const SimIdentity& identity : identities_) {
    if (!client_id.empty() && identity.client_id != client_id) continue;
    if (!object_id.empty() && identity.object_id != object_id) continue;
    if (!resource_id.empty() && !EqualsIgnoreCase(identity.resource_id, resource_id)) continue;
    return identity;
  }
  return std::nullopt;
}

std::optional<SimIdentity> SimContext::FindManagedIdentity(const std::string& client_id,
                                                           const std::string& object_id,
                                                           const std::string& resource_id) const {
  MutexLock lock(mu_);
  const bool system = client_id.empty() && object_id.empty() && resource_id.empty();
  for (const SimIdentity& identity : identities_) {
    if (system) {
      if (identity.kind == "system") return identity;
      continue;
    }
    if (identity.kind != "system" && identity.kind != "user") continue;
    if (!client_id.empty() && identity.client_id != client_id) continue;
    if (!object_id.empty() && identity.object_id != object_id) continue;
    if (!resource_id.empty() && !EqualsIgnoreCase(identity.resource_id, resource_id)) continue;
    return identity;
  }
  return std::nullopt;
}

void SimContext::AddIdentity(SimIdentity identity) {
  MutexLock lock(mu_);
  identities_.push_back(std::move(identity));
}

void SimContext::AddFederatedCredential(FederatedCredential credential) {
  MutexLock lock(mu_);
  federated_.push_back(std::move(credential));
}

std::vector<FederatedCredential> SimContext::FederatedCredentials(
    const std::string& client_id) const {
  MutexLock lock(mu_);
  std::vector<FederatedCredential> out;
  for (const FederatedCredential& credential : federated_) {
    if (credential.client_id == client_id) out.push_back(credential);
  }
  return out;
}

std::string SimContext::oidc_issuer() const { return https_base() + "/oidc/"; }
std::string SimContext::ca_file() const { return config_.state_dir + "/ca.pem"; }
std::string SimContext::arc_key_dir() const { return config_.state_dir + "/arc-tokens"; }
std::string SimContext::workload_token_file() const {
  return config_.state_dir + "/workload/azure-identity-token";
}

std::string SimContext::IssueAccessToken(const SimIdentity& identity, const std::string& resource,
                                         std::chrono::seconds lifetime) const {
  const int64_t now = ToUnixSeconds(Now());
  const nlohmann::json claims = {
      {"aud", NormalizeResource(resource)},
      {"iss", "https://sts.windows.net/" + config_.tenant_id + "/"},
      {"iat", now},
      {"nbf", now},
      {"exp", now + lifetime.count()},
      {"tid", config_.tenant_id},
      {"oid", identity.object_id},
      {"sub", identity.object_id},
      {"appid", identity.client_id},
      {"azp", identity.client_id},
      {"idtyp", "app"},
      {"ver", "1.0"},
      {"xms_mirid", identity.resource_id},
  };
  auto token = jose::SignJwt(claims, entra_key_, jose::KeyId(entra_key_));
  return token ? *token : std::string();
}

std::optional<nlohmann::json> SimContext::VerifyAccessToken(std::string_view token,
                                                            std::string_view audience) const {
  jose::VerifyOptions options;
  options.now = ToUnixSeconds(Now());
  options.leeway_seconds = 300;
  auto jwt = jose::VerifyJwt(token, entra_key_, options);
  if (!jwt) return std::nullopt;
  const auto aud = jwt->claims.find("aud");
  if (aud == jwt->claims.end() || !aud->is_string() ||
      aud->get<std::string>() != NormalizeResource(audience)) {
    return std::nullopt;
  }
  return jwt->claims;
}

void SimContext::AddFault(Fault fault) {
  MutexLock lock(mu_);
  faults_.push_back(std::move(fault));
}

void SimContext::ClearFaults() {
  MutexLock lock(mu_);
  faults_.clear();
}

std::optional<HttpResponse> SimContext::TakeFault(const HttpRequest& request) const {
  return ApplyFaults(request).response;
}

FaultOutcome SimContext::ApplyFaults(const HttpRequest& request) const {
  const TimePoint now = Now();
  MutexLock lock(mu_);
  FaultOutcome outcome;
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    Fault& fault = *it;
    if (fault.method != "*" && fault.method != request.method) continue;
    if (!StartsWith(request.path, fault.path_prefix)) continue;
    const bool in_outage = fault.outage_until && now < *fault.outage_until &&
                           (!fault.outage_from || now >= *fault.outage_from);
    int status = 0;
    if (in_outage) {
      status = fault.outage_status;
    } else if (!fault.statuses.empty()) {
      status = fault.statuses.front();
      fault.statuses.erase(fault.statuses.begin());
    } else if (fault.latency.count() == 0) {
      continue;  // spent (or an outage not yet begun / already over)
    }
    outcome.latency = fault.latency;
    if (status != 0) {
      // A 203 is Azure DevOps' sign-in page (identity-contract §6.4); anything else a JSON error.
      HttpResponse response =
          status == 203
              ? HttpResponse::Text(203, "text/html; charset=utf-8",
                                   "<!DOCTYPE html><html><head><title>Azure DevOps Services | "
                                   "Sign In</title></head><body>Sign in</body></html>")
              : HttpResponse::Json(
                    status, {{"error", "fault_injected"},
                             {"error_description", "Injected by agentboot-sim's fault table"}});
      for (const auto& [name, value] : fault.headers) response.With(name, value);
      outcome.response = std::move(response);
    }
    const bool outage_over = !fault.outage_until || now >= *fault.outage_until;
    if (fault.statuses.empty() && outage_over && fault.latency.count() == 0) faults_.erase(it);
    return outcome;
  }
  return outcome;
}

void SimContext::Record(LoggedRequest entry) const { journal_->Record(std::move(entry)); }

std::vector<LoggedRequest> SimContext::RequestLog() const { return journal_->Entries(); }

void SimContext::ClearRequestLog() { journal_->Clear(); }

void SimContext::AddStatsSource(std::string name, std::function<nlohmann::json()> source) {
  MutexLock lock(mu_);
  stats_sources_.emplace_back(std::move(name), std::move(source));
}

nlohmann::json SimContext::Stats() const {
  std::vector<std::pair<std::string, std::function<nlohmann::json()>>> sources;
  {
    MutexLock lock(mu_);
    sources = stats_sources_;
  }
  nlohmann::json stats = nlohmann::json::object();
  for (const auto& [name, source] : sources) stats[name] = source();
  return stats;
}

void SimContext::AddStopHook(std::function<void()> hook) {
  MutexLock lock(mu_);
  stop_hooks_.push_back(std::move(hook));
}

void SimContext::RunStopHooks() const {
  std::vector<std::function<void()>> hooks;
  {
    MutexLock lock(mu_);
    hooks = stop_hooks_;
  }
  for (const auto& hook : hooks) hook();
}

}  // namespace agentboot::sim::detail

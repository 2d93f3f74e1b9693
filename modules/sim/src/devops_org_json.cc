// DevOpsOrg's snapshot format: the control API's GET /_control/devops/state body and the state
// file. Times are Unix seconds; PATs appear only as SHA-256 hashes.
#include "devops_org.h"

namespace agentboot::sim::detail {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<TimePoint>& t) {
  return t ? json(ToUnixSeconds(*t)) : json(nullptr);
}

std::optional<TimePoint> ReadOptionalTime(const json& value) {
  if (value.is_number_integer()) return FromUnixSeconds(value.get<int64_t>());
  return std::nullopt;
}

json AgentState(const AgentRecord& a) {
  return {{"id", a.id},
          {"pool_id", a.pool_id},
          {"name", a.name},
          {"version", a.version},
          {"os_description", a.os_description},
          {"enabled", a.enabled},
          {"status", a.status},
          {"provisioning_state", a.provisioning_state},
          {"max_parallelism", a.max_parallelism},
          {"created_on", ToUnixSeconds(a.created_on)},
          {"status_changed_on", ToUnixSeconds(a.status_changed_on)},
          {"client_id", a.client_id},
          {"authorization_url", a.authorization_url},
          {"public_key", {{"exponent", a.public_key_exponent}, {"modulus", a.public_key_modulus}}},
          {"system_capabilities", a.system_capabilities},
          {"user_capabilities", a.user_capabilities}};
}

AgentRecord ReadAgent(const json& j) {
  AgentRecord a;
  a.id = j.at("id").get<int64_t>();
  a.pool_id = j.at("pool_id").get<int64_t>();
  a.name = j.at("name").get<std::string>();
  a.version = j.value("version", "");
  a.os_description = j.value("os_description", "");
  a.enabled = j.value("enabled", true);
  a.status = j.value("status", "offline");
  a.provisioning_state = j.value("provisioning_state", "Provisioned");
  a.max_parallelism = j.value("max_parallelism", int64_t{1});
  a.created_on = FromUnixSeconds(j.value("created_on", int64_t{0}));
  a.status_changed_on = FromUnixSeconds(j.value("status_changed_on", int64_t{0}));
  a.client_id = j.at("client_id").get<std::string>();
  a.authorization_url = j.at("authorization_url").get<std::string>();
  const json& key = j.at("public_key");
  a.public_key_exponent = key.value("exponent", "");
  a.public_key_modulus = key.value("modulus", "");
  a.system_capabilities = j.value("system_capabilities", json::object());
  a.user_capabilities = j.value("user_capabilities", json::object());
  return a;
}

}  // namespace

json DevOpsOrg::ToJsonLocked() const {
  json pools = json::array();
  for (const PoolRecord& p : pools_) {
    int64_t size = 0;
    for (const AgentRecord& a : agents_) size += a.pool_id == p.id ? 1 : 0;
    pools.push_back({{"id", p.id},
                     {"name", p.name},
                     {"is_hosted", p.is_hosted},
                     {"members_are_admins", p.members_are_admins},
                     {"created_on", ToUnixSeconds(p.created_on)},
                     {"size", size}});
  }
  json agents = json::array();
  for (const AgentRecord& a : agents_) agents.push_back(AgentState(a));
  json packages = json::array();
  for (const PackageRecord& p : packages_) {
    packages.push_back({{"type", p.type},
                        {"platform", p.platform},
                        {"version", p.version},
                        {"filename", p.filename},
                        {"path", p.path},
                        {"hash", p.hash},
                        {"created_on", ToUnixSeconds(p.created_on)}});
  }
  json requests = json::array();
  for (const JobRequestRecord& r : job_requests_) {
    requests.push_back({{"request_id", r.request_id},
                        {"pool_id", r.pool_id},
                        {"agent_id", r.agent_id},
                        {"result", r.result},
                        {"queue_time", ToUnixSeconds(r.queue_time)},
                        {"assign_time", OptionalTime(r.assign_time)},
                        {"finish_time", OptionalTime(r.finish_time)},
                        {"plan_id", r.plan_id},
                        {"job_id", r.job_id},
                        {"lock_token", r.lock_token},
                        {"locked_until", OptionalTime(r.locked_until)},
                        {"lock_renewals", r.lock_renewals},
                        {"duration_ms", r.duration_ms},
                        {"requested_result", r.requested_result},
                        {"demands", r.demands}});
  }
  json admins = json::array();
  for (const auto& [key, admin] : admins_) {
    admins.push_back({{"pool", key.first}, {"oid", key.second}, {"admin", admin}});
  }
  return {{"version", 1},
          {"pools", pools},
          {"agents", agents},
          {"packages", packages},
          {"job_requests", requests},
          {"members", json(members_)},
          {"pool_admins", admins},
          {"pat_hashes", json(pats_)},
          {"next_ids",
           {{"pool", next_pool_id_}, {"agent", next_agent_id_}, {"request", next_request_id_}}},
          {"counts",
           {{"pools", pools_.size()},
            {"agents", agents_.size()},
            {"packages", packages_.size()},
            {"job_requests", job_requests_.size()}}}};
}

Status DevOpsOrg::FromJsonLocked(const json& state) {
  try {
    std::vector<PoolRecord> pools;
    for (const json& p : state.at("pools")) {
      pools.push_back(PoolRecord{p.at("id").get<int64_t>(), p.at("name").get<std::string>(),
                                 p.value("is_hosted", false), p.value("members_are_admins", true),
                                 FromUnixSeconds(p.value("created_on", int64_t{0}))});
    }
    std::vector<AgentRecord> agents;
    for (const json& a : state.value("agents", json::array())) agents.push_back(ReadAgent(a));
    std::vector<PackageRecord> packages;
    for (const json& p : state.value("packages", json::array())) {
      packages.push_back(PackageRecord{p.value("type", "agent"), p.value("platform", ""),
                                       p.value("version", ""), p.value("filename", ""),
                                       p.value("path", ""), p.value("hash", ""),
                                       FromUnixSeconds(p.value("created_on", int64_t{0}))});
    }
    std::vector<JobRequestRecord> requests;
    for (const json& r : state.value("job_requests", json::array())) {
      JobRequestRecord record;
      record.request_id = r.at("request_id").get<int64_t>();
      record.pool_id = r.at("pool_id").get<int64_t>();
      record.agent_id = r.at("agent_id").get<int64_t>();
      record.result = r.value("result", "");
      record.queue_time = FromUnixSeconds(r.value("queue_time", int64_t{0}));
      record.assign_time = ReadOptionalTime(r.value("assign_time", json(nullptr)));
      record.finish_time = ReadOptionalTime(r.value("finish_time", json(nullptr)));
      record.plan_id = r.value("plan_id", "");
      record.job_id = r.value("job_id", "");
      record.lock_token = r.value("lock_token", "");
      record.locked_until = ReadOptionalTime(r.value("locked_until", json(nullptr)));
      record.lock_renewals = r.value("lock_renewals", int64_t{0});
      record.duration_ms = r.value("duration_ms", int64_t{0});
      record.requested_result = r.value("requested_result", "");
      record.demands = r.value("demands", std::vector<std::string>{});
      requests.push_back(record);
    }
    std::map<std::pair<int64_t, std::string>, bool> admins;
    for (const json& entry : state.value("pool_admins", json::array())) {
      admins[{entry.at("pool").get<int64_t>(), entry.at("oid").get<std::string>()}] =
          entry.at("admin").get<bool>();
    }
    const json ids = state.value("next_ids", json::object());
    members_ = state.value("members", json::object()).get<std::map<std::string, bool>>();
    pats_ = state.value("pat_hashes", json::object()).get<std::map<std::string, std::string>>();
    admins_ = std::move(admins);
    pools_ = std::move(pools);
    agents_ = std::move(agents);
    packages_ = std::move(packages);
    job_requests_ = std::move(requests);
    next_pool_id_ = ids.value("pool", next_pool_id_);
    next_agent_id_ = ids.value("agent", next_agent_id_);
    next_request_id_ = ids.value("request", next_request_id_);
    return {};
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kInvalidArgument, "read " + state_file_, e.what());
  }
}

}  // namespace agentboot::sim::detail

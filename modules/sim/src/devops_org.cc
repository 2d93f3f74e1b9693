#include "devops_org.h"

#include <algorithm>

#include "agentboot/jose.h"

namespace agentboot::sim::detail {

std::optional<std::array<int64_t, 3>> ParsePackageVersion(std::string_view text) {
  std::array<int64_t, 3> parts{0, 0, 0};
  std::vector<std::string> fields = Split(text, '.');
  if (fields.empty() || fields.size() > 3) return std::nullopt;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::optional<int64_t> value = ParseInt64(fields[i]);
    if (!value || *value < 0) return std::nullopt;
    parts.at(i) = *value;
  }
  return parts;
}

DevOpsOrg::DevOpsOrg(FileSystem& fs, Random& random, std::string state_file, TimePoint now)
    : fs_(fs), random_(random), state_file_(std::move(state_file)) {
  pools_.push_back(PoolRecord{1, "Default", false, true, now});
  // The Microsoft-hosted pool exists in every organization; nobody registers agents in it.
  pools_.push_back(PoolRecord{2, "Azure Pipelines", true, false, now});
  pools_.push_back(PoolRecord{3, "linux", false, true, now});
}

Status DevOpsOrg::Load() {
  if (state_file_.empty() || !fs_.Exists(state_file_)) return {};
  Result<std::string> text = fs_.ReadFile(state_file_);
  if (!text) return Fail(text.error());
  nlohmann::json state = nlohmann::json::parse(*text, nullptr, false);
  if (state.is_discarded() || !state.is_object()) {
    return Fail(ErrorCode::kInvalidArgument, "read " + state_file_, "not a JSON object");
  }
  MutexLock lock(mu_);
  return FromJsonLocked(state);
}

std::vector<PoolRecord> DevOpsOrg::Pools() const {
  MutexLock lock(mu_);
  return pools_;
}

std::optional<PoolRecord> DevOpsOrg::FindPool(int64_t pool_id) const {
  MutexLock lock(mu_);
  for (const PoolRecord& pool : pools_) {
    if (pool.id == pool_id) return pool;
  }
  return std::nullopt;
}

std::optional<PoolRecord> DevOpsOrg::FindPoolByName(std::string_view name) const {
  MutexLock lock(mu_);
  for (const PoolRecord& pool : pools_) {
    if (EqualsIgnoreCase(pool.name, name)) return pool;
  }
  return std::nullopt;
}

Result<PoolRecord> DevOpsOrg::AddPool(std::string name, bool is_hosted, TimePoint now) {
  MutexLock lock(mu_);
  for (const PoolRecord& pool : pools_) {
    if (EqualsIgnoreCase(pool.name, name)) {
      return Fail(ErrorCode::kAlreadyExists, "add pool", "pool " + name + " exists");
    }
  }
  PoolRecord pool{next_pool_id_++, std::move(name), is_hosted, !is_hosted, now};
  pools_.push_back(pool);
  SaveLocked();
  return pool;
}

std::vector<AgentRecord> DevOpsOrg::Agents(int64_t pool_id) const {
  MutexLock lock(mu_);
  std::vector<AgentRecord> result;
  for (const AgentRecord& agent : agents_) {
    if (agent.pool_id == pool_id) result.push_back(agent);
  }
  return result;
}

std::optional<AgentRecord> DevOpsOrg::FindAgent(int64_t pool_id, int64_t agent_id) const {
  MutexLock lock(mu_);
  for (const AgentRecord& agent : agents_) {
    if (agent.pool_id == pool_id && agent.id == agent_id) return agent;
  }
  return std::nullopt;
}

std::optional<AgentRecord> DevOpsOrg::FindAgentByName(int64_t pool_id,
                                                      std::string_view name) const {
  MutexLock lock(mu_);
  for (const AgentRecord& agent : agents_) {
    if (agent.pool_id == pool_id && EqualsIgnoreCase(agent.name, name)) return agent;
  }
  return std::nullopt;
}

std::optional<AgentRecord> DevOpsOrg::FindAgentByClientId(std::string_view client_id) const {
  MutexLock lock(mu_);
  for (const AgentRecord& agent : agents_) {
    if (EqualsIgnoreCase(agent.client_id, client_id)) return agent;
  }
  return std::nullopt;
}

Result<AgentRecord> DevOpsOrg::AddAgent(
    AgentRecord draft, TimePoint now,
    const std::function<std::string(const std::string&)>& authorization_url_for) {
  MutexLock lock(mu_);
  const bool pool_exists = std::any_of(pools_.begin(), pools_.end(),
                                       [&](const PoolRecord& p) { return p.id == draft.pool_id; });
  if (!pool_exists) {
    return Fail(ErrorCode::kNotFound, "add agent",
                "Agent pool " + std::to_string(draft.pool_id) + " could not be found.");
  }
  for (const AgentRecord& agent : agents_) {
    if (agent.pool_id == draft.pool_id && EqualsIgnoreCase(agent.name, draft.name)) {
      return Fail(ErrorCode::kAlreadyExists, "add agent",
                  "Pool " + std::to_string(draft.pool_id) +
                      " already contains an agent with name " + draft.name + ".");
    }
  }
  draft.id = next_agent_id_++;
  draft.client_id = NewGuid(random_);
  draft.authorization_url = authorization_url_for(draft.client_id);
  draft.created_on = now;
  draft.status_changed_on = now;
  draft.status = "offline";
  agents_.push_back(draft);
  SaveLocked();
  return draft;
}

AgentRecord* DevOpsOrg::FindAgentLocked(int64_t pool_id, int64_t agent_id) {
  for (AgentRecord& agent : agents_) {
    if (agent.pool_id == pool_id && agent.id == agent_id) return &agent;
  }
  return nullptr;
}

Result<AgentRecord> DevOpsOrg::UpdateAgent(int64_t pool_id, int64_t agent_id,
                                           const std::function<void(AgentRecord&)>& mutate) {
  MutexLock lock(mu_);
  AgentRecord* stored = FindAgentLocked(pool_id, agent_id);
  if (stored == nullptr) {
    return Fail(ErrorCode::kNotFound, "update agent",
                "Agent " + std::to_string(agent_id) + " not found in pool " +
                    std::to_string(pool_id) + ".");
  }
  AgentRecord updated = *stored;
  mutate(updated);
  updated.id = stored->id;
  updated.pool_id = stored->pool_id;
  updated.client_id = stored->client_id;
  updated.authorization_url = stored->authorization_url;
  updated.created_on = stored->created_on;
  for (const AgentRecord& other : agents_) {
    if (other.pool_id == pool_id && other.id != agent_id &&
        EqualsIgnoreCase(other.name, updated.name)) {
      return Fail(ErrorCode::kAlreadyExists, "update agent",
                  "Pool " + std::to_string(pool_id) + " already contains an agent with name " +
                      updated.name + ".");
    }
  }
  *stored = updated;
  SaveLocked();
  return updated;
}

Status DevOpsOrg::DeleteAgent(int64_t pool_id, int64_t agent_id) {
  MutexLock lock(mu_);
  AgentRecord* stored = FindAgentLocked(pool_id, agent_id);
  if (stored == nullptr) {
    return Fail(ErrorCode::kNotFound, "delete agent",
                "Agent " + std::to_string(agent_id) + " not found in pool " +
                    std::to_string(pool_id) + ".");
  }
  for (const JobRequestRecord& request : job_requests_) {
    if (request.pool_id == pool_id && request.agent_id == agent_id && request.Running()) {
      // The service's wording (azure-devops-docs PR 10586).
      return Fail(ErrorCode::kInvalidArgument, "delete agent",
                  "Agent " + stored->name + " is running a job for pool " +
                      std::to_string(pool_id) + ". Please wait for the job to complete.");
    }
  }
  agents_.erase(std::remove_if(
                    agents_.begin(), agents_.end(),
                    [&](const AgentRecord& a) { return a.pool_id == pool_id && a.id == agent_id; }),
                agents_.end());
  SaveLocked();
  return {};
}

void DevOpsOrg::SetMember(const std::string& oid, bool member) {
  MutexLock lock(mu_);
  members_[ToLower(oid)] = member;
  SaveLocked();
}

bool DevOpsOrg::IsMember(const std::string& oid, bool known) const {
  MutexLock lock(mu_);
  auto it = members_.find(ToLower(oid));
  return it == members_.end() ? known : it->second;
}

void DevOpsOrg::SetPoolAdmin(int64_t pool_id, const std::string& oid, bool admin) {
  MutexLock lock(mu_);
  admins_[{pool_id, ToLower(oid)}] = admin;
  SaveLocked();
}

bool DevOpsOrg::IsPoolAdmin(int64_t pool_id, const std::string& oid, bool known) const {
  MutexLock lock(mu_);
  auto member_it = members_.find(ToLower(oid));
  const bool member = member_it == members_.end() ? known : member_it->second;
  if (!member) return false;
  auto it = admins_.find({pool_id, ToLower(oid)});
  if (it != admins_.end()) return it->second;
  for (const PoolRecord& pool : pools_) {
    if (pool.id == pool_id) return pool.members_are_admins;
  }
  return false;
}

void DevOpsOrg::AddPat(const std::string& pat, const std::string& oid) {
  MutexLock lock(mu_);
  pats_[jose::Sha256Hex(pat)] = ToLower(oid);
  SaveLocked();
}

std::optional<std::string> DevOpsOrg::PatIdentity(const std::string& pat) const {
  MutexLock lock(mu_);
  auto it = pats_.find(jose::Sha256Hex(pat));
  if (it == pats_.end()) return std::nullopt;
  return it->second;
}

void DevOpsOrg::AddPackage(PackageRecord package) {
  MutexLock lock(mu_);
  packages_.erase(
      std::remove_if(packages_.begin(), packages_.end(),
                     [&](const PackageRecord& p) { return p.filename == package.filename; }),
      packages_.end());
  packages_.push_back(std::move(package));
  SaveLocked();
}

std::vector<PackageRecord> DevOpsOrg::Packages(std::string_view type,
                                               std::string_view platform) const {
  MutexLock lock(mu_);
  std::vector<PackageRecord> result;
  for (const PackageRecord& package : packages_) {
    if (EqualsIgnoreCase(package.type, type) &&
        (platform.empty() || EqualsIgnoreCase(package.platform, platform))) {
      result.push_back(package);
    }
  }
  auto key = [](const PackageRecord& p) {
    return ParsePackageVersion(p.version).value_or(std::array<int64_t, 3>{0, 0, 0});
  };
  std::stable_sort(result.begin(), result.end(),
                   [&](const PackageRecord& a, const PackageRecord& b) { return key(a) > key(b); });
  return result;
}

std::optional<PackageRecord> DevOpsOrg::FindPackageByFilename(std::string_view filename) const {
  MutexLock lock(mu_);
  for (const PackageRecord& package : packages_) {
    if (package.filename == filename) return package;
  }
  return std::nullopt;
}

Result<JobRequestRecord> DevOpsOrg::AddJobRequest(JobRequestRecord request) {
  MutexLock lock(mu_);
  if (FindAgentLocked(request.pool_id, request.agent_id) == nullptr) {
    return Fail(ErrorCode::kNotFound, "add job request",
                "Agent " + std::to_string(request.agent_id) + " not found in pool " +
                    std::to_string(request.pool_id) + ".");
  }
  request.request_id = next_request_id_++;
  job_requests_.push_back(request);
  SaveLocked();
  return request;
}

std::vector<JobRequestRecord> DevOpsOrg::JobRequests(int64_t pool_id,
                                                     std::optional<int64_t> agent_id) const {
  MutexLock lock(mu_);
  std::vector<JobRequestRecord> result;
  for (const JobRequestRecord& request : job_requests_) {
    if (request.pool_id == pool_id && (!agent_id || request.agent_id == *agent_id)) {
      result.push_back(request);
    }
  }
  return result;
}

nlohmann::json DevOpsOrg::ToJson() const {
  MutexLock lock(mu_);
  return ToJsonLocked();
}

std::optional<Error> DevOpsOrg::last_save_error() const {
  MutexLock lock(mu_);
  return last_save_error_;
}

void DevOpsOrg::CoalesceSaves(Duration delay) {
  if (state_file_.empty()) return;
  auto writer = std::make_unique<CoalescedWriter>([this] { SaveNow(); }, delay);
  MutexLock lock(mu_);
  writer_ = std::move(writer);
}

void DevOpsOrg::FlushSaves() {
  CoalescedWriter* writer = nullptr;
  {
    MutexLock lock(mu_);
    writer = writer_.get();
  }
  if (writer != nullptr) writer->Flush();
}

void DevOpsOrg::SaveNow() {
  std::string text;
  {
    MutexLock lock(mu_);
    text = ToJsonLocked().dump(2);
  }
  MutexLock writing(writer_mu_);
  Status written = fs_.WriteFileAtomic(state_file_, text, 0600);
  MutexLock lock(mu_);
  if (written) {
    last_save_error_.reset();
  } else {
    last_save_error_ = written.error();
  }
}

void DevOpsOrg::SaveLocked() {
  if (state_file_.empty()) return;
  if (writer_) {
    writer_->Mark();
    return;
  }
  Status written = fs_.WriteFileAtomic(state_file_, ToJsonLocked().dump(2), 0600);
  if (written) {
    last_save_error_.reset();
  } else {
    last_save_error_ = written.error();
  }
}

}  // namespace agentboot::sim::detail

// The simulated Azure DevOps organization: pools, agents, members, pool administrators, PATs,
// agent packages and job requests. Pure in-memory state behind one mutex; when a state file is
// configured every mutation is written through FileSystem::WriteFileAtomic so a restarted
// simulator (or a test reading the file) sees a whole snapshot. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

#include "coalesced_writer.h"

namespace agentboot::sim::detail {

struct PoolRecord {
  int64_t id = 0;
  std::string name;
  bool is_hosted = false;
  // Members are administrators unless an explicit pool-admin entry says otherwise.
  bool members_are_admins = true;
  TimePoint created_on;
};

struct AgentRecord {
  int64_t id = 0;
  int64_t pool_id = 0;
  std::string name;
  std::string version;
  std::string os_description;
  bool enabled = true;
  std::string status = "offline";
  std::string provisioning_state = "Provisioned";
  int64_t max_parallelism = 1;
  TimePoint created_on;
  TimePoint status_changed_on;
  // authorization: clientId and authorizationUrl are assigned by the server and never change;
  // the public key (standard base64 of big-endian bytes) is replaced by PUT.
  std::string client_id;
  std::string authorization_url;
  std::string public_key_exponent;
  std::string public_key_modulus;
  nlohmann::json system_capabilities = nlohmann::json::object();
  nlohmann::json user_capabilities = nlohmann::json::object();
};

struct PackageRecord {
  std::string type = "agent";
  std::string platform = "linux-x64";
  std::string version;   // "4.260.0"
  std::string filename;  // served at /_downloads/<filename>
  std::string path;      // file on disk
  std::string hash;      // SHA-256 hex of the file
  TimePoint created_on;
};

struct JobRequestRecord {
  int64_t request_id = 0;
  int64_t pool_id = 0;
  int64_t agent_id = 0;  // 0 while queued (no agent reserved yet)
  std::string result;    // empty while running
  TimePoint queue_time;
  std::optional<TimePoint> assign_time;
  std::optional<TimePoint> finish_time;
  // Dispatched jobs (control API POST /_control/devops/jobs): what the job is and how it ends.
  std::string plan_id;
  std::string job_id;
  std::string lock_token;
  std::optional<TimePoint> locked_until;
  int64_t lock_renewals = 0;
  int64_t duration_ms = 0;
  std::string requested_result;  // the result the fake listener is told to report
  std::vector<std::string> demands;
  bool Running() const { return assign_time.has_value() && !finish_time.has_value(); }
  bool Queued() const { return !assign_time.has_value() && !finish_time.has_value(); }
};

// "4.260.0" → (4, 260, 0); missing parts are 0, garbage is nullopt.
std::optional<std::array<int64_t, 3>> ParsePackageVersion(std::string_view text);

class DevOpsOrg {
 public:
  // `fs` and `random` must outlive the org. An empty `state_file` disables persistence.
  // Seeds the default pools: "Default" (1), "Azure Pipelines" (2, hosted), "linux" (3).
  DevOpsOrg(FileSystem& fs, Random& random, std::string state_file, TimePoint now);
  DevOpsOrg(const DevOpsOrg&) = delete;
  DevOpsOrg& operator=(const DevOpsOrg&) = delete;

  // Replaces the state with the state file's content when the file exists. Missing file: OK and
  // nothing changes. kInvalidArgument for a corrupt file.
  [[nodiscard]] Status Load();

  // Pools.
  std::vector<PoolRecord> Pools() const;
  std::optional<PoolRecord> FindPool(int64_t pool_id) const;
  std::optional<PoolRecord> FindPoolByName(std::string_view name) const;  // case-insensitive
  // kAlreadyExists when the name is taken.
  [[nodiscard]] Result<PoolRecord> AddPool(std::string name, bool is_hosted, TimePoint now);

  // Agents. Names are unique per pool, case-insensitively.
  std::vector<AgentRecord> Agents(int64_t pool_id) const;
  std::optional<AgentRecord> FindAgent(int64_t pool_id, int64_t agent_id) const;
  std::optional<AgentRecord> FindAgentByName(int64_t pool_id, std::string_view name) const;
  std::optional<AgentRecord> FindAgentByClientId(std::string_view client_id) const;
  // Assigns id and clientId; `authorization_url_for` maps the new clientId to the URL stored.
  // kNotFound (pool), kAlreadyExists (name).
  [[nodiscard]] Result<AgentRecord> AddAgent(
      AgentRecord draft, TimePoint now,
      const std::function<std::string(const std::string&)>& authorization_url_for);
  // Applies `mutate` to a copy; id, pool, clientId, authorizationUrl and createdOn are kept.
  // kNotFound; kAlreadyExists when a rename collides.
  [[nodiscard]] Result<AgentRecord> UpdateAgent(int64_t pool_id, int64_t agent_id,
                                                const std::function<void(AgentRecord&)>& mutate);
  // kNotFound; kInvalidArgument with the service's message while a job runs on the agent.
  [[nodiscard]] Status DeleteAgent(int64_t pool_id, int64_t agent_id);

  // Membership and pool roles. `known` says whether the simulated tenant knows the identity,
  // which makes it a member unless SetMember said otherwise.
  void SetMember(const std::string& oid, bool member);
  bool IsMember(const std::string& oid, bool known) const;
  void SetPoolAdmin(int64_t pool_id, const std::string& oid, bool admin);
  bool IsPoolAdmin(int64_t pool_id, const std::string& oid, bool known) const;

  // Personal access tokens: Basic auth with the PAT as password acts as `oid`.
  void AddPat(const std::string& pat, const std::string& oid);
  std::optional<std::string> PatIdentity(const std::string& pat) const;

  // Packages, newest version first.
  void AddPackage(PackageRecord package);
  std::vector<PackageRecord> Packages(std::string_view type, std::string_view platform) const;
  std::optional<PackageRecord> FindPackageByFilename(std::string_view filename) const;

  // Job requests (control API now, real dispatch later).
  [[nodiscard]] Result<JobRequestRecord> AddJobRequest(JobRequestRecord request);
  std::vector<JobRequestRecord> JobRequests(int64_t pool_id, std::optional<int64_t> agent_id) const;
  // Dispatched jobs (devops_jobs_org.cc). QueueJobRequest needs only the pool (kNotFound) and
  // assigns the request id; the agent is chosen later by the dispatcher.
  [[nodiscard]] Result<JobRequestRecord> QueueJobRequest(JobRequestRecord request);
  std::vector<JobRequestRecord> AllJobRequests() const;  // every pool, queue order
  std::optional<JobRequestRecord> FindJobRequest(int64_t request_id) const;
  // Applies `mutate` to the stored request (request id and pool are kept). kNotFound.
  [[nodiscard]] Result<JobRequestRecord> UpdateJobRequest(
      int64_t request_id, const std::function<void(JobRequestRecord&)>& mutate);

  // The whole state (public keys included): the control API's view and the state file format.
  nlohmann::json ToJson() const;
  // The error of the last failed state-file write, if any.
  std::optional<Error> last_save_error() const;
  // From now on a change marks the state dirty and one thread writes the file once it has been
  // dirty for `delay` (atomic rename, as before); the destructor and FlushSaves write what is
  // pending. Without it every change writes the whole file at once.
  void CoalesceSaves(Duration delay);
  void FlushSaves();

 private:
  nlohmann::json ToJsonLocked() const REQUIRES(mu_);
  [[nodiscard]] Status FromJsonLocked(const nlohmann::json& state) REQUIRES(mu_);
  void SaveLocked() REQUIRES(mu_);
  void SaveNow() EXCLUDES(mu_);  // renders under the lock, writes outside it
  AgentRecord* FindAgentLocked(int64_t pool_id, int64_t agent_id) REQUIRES(mu_);

  FileSystem& fs_;
  Random& random_;
  const std::string state_file_;
  mutable Mutex mu_;
  std::vector<PoolRecord> pools_ GUARDED_BY(mu_);
  std::vector<AgentRecord> agents_ GUARDED_BY(mu_);
  std::vector<PackageRecord> packages_ GUARDED_BY(mu_);
  std::vector<JobRequestRecord> job_requests_ GUARDED_BY(mu_);
  std::map<std::string, bool> members_ GUARDED_BY(mu_);                     // explicit overrides
  std::map<std::pair<int64_t, std::string>, bool> admins_ GUARDED_BY(mu_);  // explicit overrides
  std::map<std::string, std::string> pats_ GUARDED_BY(mu_);  // SHA-256 hex of pat → oid
  int64_t next_pool_id_ GUARDED_BY(mu_) = 4;
  int64_t next_agent_id_ GUARDED_BY(mu_) = 1;
  int64_t next_request_id_ GUARDED_BY(mu_) = 1;
  std::optional<Error> last_save_error_ GUARDED_BY(mu_);
  Mutex writer_mu_;  // one file write at a time
  // Last: destroyed (and flushed) while the state it saves still exists.
  std::unique_ptr<CoalescedWriter> writer_ GUARDED_BY(mu_);
};

}  // namespace agentboot::sim::detail

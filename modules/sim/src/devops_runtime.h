// What the simulated Azure DevOps keeps only while it runs: listener sessions and message queues,
// the job dispatcher, the message long-poll time, and the credentials of deleted agents. Owned
// by DevOpsService. Thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "devops_jobs.h"
#include "devops_message_parking.h"
#include "devops_sessions.h"

namespace agentboot::sim::detail {

class DevOpsRuntime {
 public:
  // `org` and `random` outlive the runtime.
  DevOpsRuntime(DevOpsOrg& org, Random& random)
      : dispatcher_(org, sessions_, random), parking_(dispatcher_, sessions_) {}

  SessionBoard& sessions() { return sessions_; }
  JobDispatcher& dispatcher() { return dispatcher_; }
  // Where GET …/messages waits (declared last: it stops its ticker before the rest goes).
  MessageParking& parking() { return parking_; }

  // How long GET …/messages waits for a message (control API; the real service waits ~50 s).
  Duration message_poll() const { return std::chrono::milliseconds(message_poll_ms_.load()); }
  void set_message_poll(std::chrono::milliseconds poll) { message_poll_ms_ = poll.count(); }

  // When on, a deleted agent's key still obtains tokens and its token still authenticates, so
  // the listener reaches session creation and gets TaskAgentNotFoundException (agent-contract
  // §3, issue #119). Off (default): the token endpoint answers invalid_client at once.
  bool keep_deleted_credentials() const { return keep_deleted_credentials_.load(); }
  void set_keep_deleted_credentials(bool keep) { keep_deleted_credentials_ = keep; }

  // How long a session may go without a poll before the service expires it, so that a killed
  // listener's successor can open one. The real service's value is not documented (unknown);
  // 5 minutes is longer than the listener's 4-minute conflict retry, so a listener restarted at
  // once after a kill still meets the conflict first.
  Duration session_idle() const { return std::chrono::milliseconds(session_idle_ms_.load()); }
  void set_session_idle(std::chrono::milliseconds idle) { session_idle_ms_ = idle.count(); }

  // When on, GET answers for agents carry no `authorization.publicKey` and no
  // `authorization.authorizationUrl`: the agent never reads them from a GET
  // (ConfigurationManager.cs:763-766, 892-895), so whether the service returns them is unknown
  // (agent-audit D4) and agentboot must work either way.
  bool omit_authorization() const { return omit_authorization_.load(); }
  void set_omit_authorization(bool omit) { omit_authorization_ = omit; }

  // True when an agent with this clientId was deleted (whatever keep_deleted_credentials says).
  bool WasDeleted(std::string_view client_id) const {
    MutexLock lock(mu_);
    for (const AgentRecord& agent : deleted_) {
      if (EqualsIgnoreCase(agent.client_id, client_id)) return true;
    }
    return false;
  }

  void RememberDeleted(AgentRecord agent) {
    MutexLock lock(mu_);
    deleted_.push_back(std::move(agent));
  }
  // The deleted agent with this clientId, when keep_deleted_credentials() is on.
  std::optional<AgentRecord> FindDeleted(std::string_view client_id) const {
    if (!keep_deleted_credentials()) return std::nullopt;
    MutexLock lock(mu_);
    for (auto it = deleted_.rbegin(); it != deleted_.rend(); ++it) {
      if (EqualsIgnoreCase(it->client_id, client_id)) return *it;
    }
    return std::nullopt;
  }

 private:
  SessionBoard sessions_;
  JobDispatcher dispatcher_;
  std::atomic<int64_t> message_poll_ms_{20000};
  std::atomic<bool> keep_deleted_credentials_{false};
  std::atomic<int64_t> session_idle_ms_{300'000};
  std::atomic<bool> omit_authorization_{false};
  mutable Mutex mu_;
  std::vector<AgentRecord> deleted_ GUARDED_BY(mu_);
  MessageParking parking_;
};

}  // namespace agentboot::sim::detail

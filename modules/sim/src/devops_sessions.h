// Listener sessions and the per-agent message queues of the simulated Azure DevOps
// (agent-contract §3 "Listener startup and session", §9 items 6-7). One live session per agent;
// a message stays queued until it is deleted, so the keep-alive poll that runs next to the long
// poll may see a message without losing it. Waiters block on their agent's condition variable
// under the board's own mutex, never under the organization's. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::sim::detail {

struct SessionRecord {
  std::string session_id;
  int64_t pool_id = 0;
  int64_t agent_id = 0;
  std::string owner_name;
  nlohmann::json agent = nlohmann::json::object();  // TaskAgentReference as the listener sent it
  TimePoint created_on;
  TimePoint last_seen;  // creation or the last poll/delete on the session
};

struct AgentMessage {
  int64_t message_id = 0;
  std::string message_type;
  std::string body;  // JSON text, sent as a string like the service does
};

class SessionBoard {
 public:
  SessionBoard() = default;
  SessionBoard(const SessionBoard&) = delete;
  SessionBoard& operator=(const SessionBoard&) = delete;

  // kAlreadyExists (with the service's wording) when the agent already has a session.
  [[nodiscard]] Result<SessionRecord> Open(SessionRecord draft, Random& random);
  // The closed session, or nullopt when the id is unknown. Wakes the agent's waiters.
  std::optional<SessionRecord> Close(const std::string& session_id);
  // Drops the agent's session and queue (the agent was deleted).
  void ForgetAgent(int64_t pool_id, int64_t agent_id);
  std::optional<SessionRecord> Find(const std::string& session_id) const;
  std::optional<SessionRecord> FindByAgent(int64_t pool_id, int64_t agent_id) const;
  std::vector<SessionRecord> Sessions() const;
  // Records activity on a session (a poll began or ended, a message was deleted).
  void Touch(const std::string& session_id, TimePoint now);
  // Closes and returns the sessions with no activity for `idle` or longer (a listener that was
  // killed never deletes its session; the service expires it after a while).
  std::vector<SessionRecord> ExpireIdle(TimePoint now, Duration idle);

  // Queues a message for the agent (with or without a session) and wakes its waiters.
  AgentMessage Post(int64_t pool_id, int64_t agent_id, std::string type, std::string body);
  // The oldest undeleted message of the agent.
  std::optional<AgentMessage> Peek(int64_t pool_id, int64_t agent_id) const;
  std::vector<AgentMessage> Messages(int64_t pool_id, int64_t agent_id) const;
  // False when the agent has no such message.
  bool Delete(int64_t pool_id, int64_t agent_id, int64_t message_id);

  // Waits up to `timeout` for a message for the session's agent and returns the oldest one
  // without removing it. nullopt on timeout, when the session closes, or after Shutdown.
  std::optional<AgentMessage> Wait(const std::string& session_id, Duration timeout);
  // Wakes every waiter (their polls answer "nothing") so the server threads can stop.
  void Shutdown();
  bool shut_down() const;
  // Wakes the waiters of one agent (e.g. after a dispatch decision elsewhere).
  void Notify(int64_t pool_id, int64_t agent_id);

 private:
  using Key = std::pair<int64_t, int64_t>;  // pool id, agent id
  struct Queue {
    std::deque<AgentMessage> messages;
    std::optional<SessionRecord> session;
    std::shared_ptr<CondVar> wakeup = std::make_shared<CondVar>();
  };

  mutable Mutex mu_;
  std::map<Key, Queue> queues_ GUARDED_BY(mu_);
  int64_t next_message_id_ GUARDED_BY(mu_) = 1;
  bool shut_down_ GUARDED_BY(mu_) = false;
};

}  // namespace agentboot::sim::detail

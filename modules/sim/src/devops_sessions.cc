#include "devops_sessions.h"

#include <algorithm>

namespace agentboot::sim::detail {

Result<SessionRecord> SessionBoard::Open(SessionRecord draft, Random& random) {
  MutexLock lock(mu_);
  Queue& queue = queues_[{draft.pool_id, draft.agent_id}];
  if (queue.session) {
    // The service's text (issue #720 of the agent's repository).
    return Fail(ErrorCode::kAlreadyExists, "create session",
                "Agent " + std::to_string(draft.agent_id) +
                    " already has an active session for owner " + queue.session->owner_name + ".");
  }
  draft.session_id = NewGuid(random);
  queue.session = draft;
  return draft;
}

std::optional<SessionRecord> SessionBoard::Close(const std::string& session_id) {
  MutexLock lock(mu_);
  for (auto& [key, queue] : queues_) {
    if (queue.session && EqualsIgnoreCase(queue.session->session_id, session_id)) {
      std::optional<SessionRecord> closed = std::move(queue.session);
      queue.session.reset();
      queue.wakeup->NotifyAll();
      return closed;
    }
  }
  return std::nullopt;
}

void SessionBoard::ForgetAgent(int64_t pool_id, int64_t agent_id) {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it == queues_.end()) return;
  it->second.wakeup->NotifyAll();
  // Waiters hold their own reference to the condition variable, so the entry can go now.
  queues_.erase(it);
}

std::optional<SessionRecord> SessionBoard::Find(const std::string& session_id) const {
  MutexLock lock(mu_);
  for (const auto& [key, queue] : queues_) {
    if (queue.session && EqualsIgnoreCase(queue.session->session_id, session_id)) {
      return queue.session;
    }
  }
  return std::nullopt;
}

std::optional<SessionRecord> SessionBoard::FindByAgent(int64_t pool_id, int64_t agent_id) const {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it == queues_.end()) return std::nullopt;
  return it->second.session;
}

std::vector<SessionRecord> SessionBoard::Sessions() const {
  MutexLock lock(mu_);
  std::vector<SessionRecord> result;
  for (const auto& [key, queue] : queues_) {
    if (queue.session) result.push_back(*queue.session);
  }
  return result;
}

void SessionBoard::Touch(const std::string& session_id, TimePoint now) {
  MutexLock lock(mu_);
  for (auto& [key, queue] : queues_) {
    if (queue.session && EqualsIgnoreCase(queue.session->session_id, session_id)) {
      queue.session->last_seen = std::max(queue.session->last_seen, now);
    }
  }
}

std::vector<SessionRecord> SessionBoard::ExpireIdle(TimePoint now, Duration idle) {
  MutexLock lock(mu_);
  std::vector<SessionRecord> expired;
  for (auto& [key, queue] : queues_) {
    if (!queue.session || now - queue.session->last_seen < idle) continue;
    expired.push_back(*queue.session);
    queue.session.reset();
    queue.wakeup->NotifyAll();
  }
  return expired;
}

AgentMessage SessionBoard::Post(int64_t pool_id, int64_t agent_id, std::string type,
                                std::string body) {
  MutexLock lock(mu_);
  Queue& queue = queues_[{pool_id, agent_id}];
  AgentMessage message{next_message_id_++, std::move(type), std::move(body)};
  queue.messages.push_back(message);
  queue.wakeup->NotifyAll();
  return message;
}

std::optional<AgentMessage> SessionBoard::Peek(int64_t pool_id, int64_t agent_id) const {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it == queues_.end() || it->second.messages.empty()) return std::nullopt;
  return it->second.messages.front();
}

std::vector<AgentMessage> SessionBoard::Messages(int64_t pool_id, int64_t agent_id) const {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it == queues_.end()) return {};
  return {it->second.messages.begin(), it->second.messages.end()};
}

bool SessionBoard::Delete(int64_t pool_id, int64_t agent_id, int64_t message_id) {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it == queues_.end()) return false;
  std::deque<AgentMessage>& messages = it->second.messages;
  auto found = std::find_if(messages.begin(), messages.end(),
                            [&](const AgentMessage& m) { return m.message_id == message_id; });
  if (found == messages.end()) return false;
  messages.erase(found);
  return true;
}

std::optional<AgentMessage> SessionBoard::Wait(const std::string& session_id, Duration timeout) {
  MutexLock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!shut_down_) {
    const Queue* queue = nullptr;
    for (const auto& [key, candidate] : queues_) {
      if (candidate.session && EqualsIgnoreCase(candidate.session->session_id, session_id)) {
        queue = &candidate;
      }
    }
    if (queue == nullptr) return std::nullopt;
    if (!queue->messages.empty()) return queue->messages.front();
    // Keep the condition variable alive even if the entry is erased while waiting.
    std::shared_ptr<CondVar> wakeup = queue->wakeup;
    if (!wakeup->WaitUntil(mu_, deadline)) {
      // One last look: a message posted right at the deadline is still delivered.
      for (const auto& [key, candidate] : queues_) {
        if (candidate.session && EqualsIgnoreCase(candidate.session->session_id, session_id) &&
            !candidate.messages.empty()) {
          return candidate.messages.front();
        }
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void SessionBoard::Shutdown() {
  MutexLock lock(mu_);
  shut_down_ = true;
  for (auto& [key, queue] : queues_) queue.wakeup->NotifyAll();
}

bool SessionBoard::shut_down() const {
  MutexLock lock(mu_);
  return shut_down_;
}

void SessionBoard::Notify(int64_t pool_id, int64_t agent_id) {
  MutexLock lock(mu_);
  auto it = queues_.find({pool_id, agent_id});
  if (it != queues_.end()) it->second.wakeup->NotifyAll();
}

}  // namespace agentboot::sim::detail

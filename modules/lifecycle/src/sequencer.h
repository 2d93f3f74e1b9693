// Private: what the drain and the rotation share. The Sequencer owns the controller's view of the
// world between messages (an Inbox of queued commands and listener facts, named instead of loose
// flags), its waits and retries, and the one wait for "no job assigned" (WaitIdle).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle::detail {

// What the server said about an assigned job by the time a wait ended.
enum class IdleResult {
  kIdle,    // no job assigned (or the agent is gone on the server: nothing runs on it)
  kBusy,    // a job was assigned at the last answer
  kUnknown  // no answer came: the server could not be asked
};

// What the listener is known to be doing, from the supervisor's messages.
enum class ListenerState {
  kRunning,  // launched, or asked to pause and not yet paused
  kPaused,   // the supervisor reached its paused phase
  kEnded     // supervision is over: it will not run again
};

// Messages turned into state while a sequence waits.
struct Inbox {
  std::optional<DrainRequest> drain;    // queued; later requests are merged in
  std::optional<RotateRequest> rotate;  // queued; the first reason is kept
  bool hurry = false;                   // a second stop signal
  ListenerState listener = ListenerState::kRunning;
  bool shutdown = false;
};

class Sequencer {
 public:
  Sequencer(Env& env, Mailbox& mailbox, AgentControl& agent, ListenerControl& listener,
            Policy policy, Callbacks callbacks);

  // Records what a message means for the sequence in progress.
  void Handle(Message message);
  // Handles messages until `done()` holds (true) or `deadline` passes (false).
  bool WaitUntil(TimePoint deadline, const std::function<bool()>& done);
  // Calls `attempt` until it succeeds, `deadline` passes or `interrupted()`, with jittered
  // exponential back-off between attempts. Returns the last result.
  Status Retry(std::string_view step, TimePoint deadline, const std::function<Status()>& attempt,
               const std::function<bool()>& interrupted);
  // Asks the server every poll_interval whether a job is assigned until it says no (kIdle),
  // `interrupted()` or `deadline` passes; then the last answer (kBusy), or kUnknown when none
  // came. `deadline` is read again at every poll: a later scheduled event may shorten it. Says
  // once (as `source`) that it waits for a running job, and warns for each failed answer.
  IdleResult WaitIdle(std::string_view source, const TimePoint& deadline,
                      const std::function<bool()>& interrupted);
  void Report(const Progress& progress) const;

  bool ListenerGone() const { return inbox.listener == ListenerState::kEnded || inbox.shutdown; }

  Env& env;
  Mailbox& mailbox;
  AgentControl& agent;
  ListenerControl& listener;
  const Policy policy;
  const Callbacks callbacks;
  Inbox inbox;
};

// Merges a later drain request into an earlier one: every event is acknowledged, the earliest
// NotBefore wins, the first reason stays.
void Merge(DrainRequest& into, DrainRequest more);

// The sequences (drain.cc, rotation.cc).
DrainReport RunDrain(Sequencer& core, DrainRequest request, bool listener_running);
RotationReport RunRotation(Sequencer& core, const std::string& reason);

std::string Seconds(Duration d);  // "42s", never negative

}  // namespace agentboot::lifecycle::detail

// agentboot::lifecycle, messages: what the controller reads from its Mailbox (stop signals,
// scheduled events, rotation requests, what the supervisor did), and the Mailbox itself.
// Part of agentboot/lifecycle.h, the module's public header: include that one.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::lifecycle {

struct DrainRequest {
  std::string reason;                   // "SIGTERM", "scheduled event Terminate", ...
  std::optional<TimePoint> not_before;  // an event's NotBefore: the listener stops before it
  std::vector<std::string> event_ids;   // scheduled events to acknowledge once drained
};
struct RotateRequest {
  std::string reason;
};
struct Hurry {};           // a second stop signal: stop the listener now
struct ListenerPaused {};  // the supervisor reached its paused phase
struct ListenerEnded {};   // supervision is over: the listener will not run again
struct Shutdown {};        // leave at once (the process is exiting)
using Message =
    std::variant<DrainRequest, RotateRequest, Hurry, ListenerPaused, ListenerEnded, Shutdown>;

// A thread-safe queue with a deadline-bounded wait.
class Mailbox {
 public:
  Mailbox() = default;
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  virtual ~Mailbox() = default;
  virtual void Post(Message message) = 0;
  // The oldest message, or nullopt once `deadline` has passed with none.
  virtual std::optional<Message> WaitUntil(TimePoint deadline) = 0;
};

// The production mailbox: a condition variable on the system clock.
std::unique_ptr<Mailbox> NewMailbox();

}  // namespace agentboot::lifecycle

// agentboot::lifecycle — the server-side sequences around the supervised listener: the graceful
// drain (SIGTERM, `agentboot drain`, an Azure Scheduled Event) and the rotation of the agent's
// RSA key.
//
// A Controller runs on its own thread. It reads messages from a Mailbox (stop signals, scheduled
// events, rotation requests, what the supervisor did) and calls two seams: AgentControl (the
// Azure DevOps server and the agent's files) and ListenerControl (the supervisor). Waiting is
// always "the next message or a deadline", so a second stop signal interrupts any wait, and
// tests drive the whole sequence with a fake mailbox on a FakeClock.
//
// Drain: 1. disable the agent on the server; 2. wait until no job is assigned, bounded by
// Policy::drain_timeout (and an event's NotBefore minus Policy::event_margin); 3. stop the
// listener (SIGINT; a job still running at the deadline is cancelled and reported loudly);
// 4. delete the registration and the local credentials, or re-enable the agent
// (Policy::keep_registration); 5. acknowledge the scheduled events that asked for the drain.
// Every server step retries with jittered back-off: during an identity outage the cached token
// serves while valid and the steps retry until the outage ends or their deadline passes.
//
// Rotation: disable, wait idle (a job is never cancelled for a rotation: a busy agent is
// re-enabled and the rotation retried later), pause the listener, rotate the key (crash-safe, in
// the agent module), resume the listener, enable. The listener never runs with a key the server
// does not accept.
//
// Both sequences are tables of named steps (Step), each a short function, sharing one wait for
// "no job assigned"; every step is reported as it begins (Callbacks::on_step), which is what
// `run` writes to its status file (lifecycle_status.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::agent {
class AgentFiles;
}
namespace agentboot::devops {
class Client;
}

namespace agentboot::lifecycle {
namespace detail {
class Sequencer;
}

// ---------------------------------------------------------------------------------------------
// Messages.

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

// ---------------------------------------------------------------------------------------------
// Seams.

// The agent on the server and on disk. Calls may block (network) and come from the controller's
// thread only.
class AgentControl {
 public:
  AgentControl() = default;
  AgentControl(const AgentControl&) = delete;
  AgentControl& operator=(const AgentControl&) = delete;
  virtual ~AgentControl() = default;
  // kNotFound when the agent is gone on the server.
  [[nodiscard]] virtual Status SetEnabled(bool enabled) = 0;
  // Whether the server has a job assigned to the agent right now. kNotFound when it is gone.
  [[nodiscard]] virtual Result<bool> HasAssignedJob() = 0;
  // Deletes the registration (gone already is success) and the local credentials.
  [[nodiscard]] virtual Status Remove() = 0;
  // A new key pair on disk and on the server, or the old one kept on both (crash-safe).
  [[nodiscard]] virtual Status RotateKey() = 0;
};

// The supervised listener. Each call only posts a command; completion comes back as a
// ListenerPaused or ListenerEnded message.
class ListenerControl {
 public:
  ListenerControl() = default;
  ListenerControl(const ListenerControl&) = delete;
  ListenerControl& operator=(const ListenerControl&) = delete;
  virtual ~ListenerControl() = default;
  virtual void Stop() = 0;    // SIGINT, SIGKILL at the supervisor's stop timeout; supervision ends
  virtual void Pause() = 0;   // SIGINT, then wait in the paused phase
  virtual void Resume() = 0;  // launch again after a pause
};

// The Azure DevOps implementation: the pool and agent ids are read from `.agent` for every call
// (a re-registration may change them), the key is rotated with agent::RotateKey. `client`,
// `files` and `env` must outlive it. `after_key_written`, when set, runs after every rotation
// attempt (the key file may have been rewritten, e.g. to give it to the listener's user); its
// error fails the rotation.
std::unique_ptr<AgentControl> NewDevopsAgentControl(
    devops::Client& client, agent::AgentFiles& files, Env& env,
    std::function<Status()> after_key_written = nullptr);

// ---------------------------------------------------------------------------------------------
// The controller.

struct Policy {
  Duration drain_timeout{std::chrono::minutes(10)};  // from the request to the SIGINT
  Duration poll_interval{std::chrono::seconds(5)};   // "is a job assigned?" while waiting
  Duration event_margin{std::chrono::seconds(15)};   // stop this long before NotBefore
  bool keep_registration = false;                    // re-enable instead of delete
  // After the listener stopped: how long deletion (or re-enabling) and acknowledgement retry.
  Duration cleanup_timeout{std::chrono::minutes(5)};
  // How long to wait for the supervisor to report the end after Stop (it SIGKILLs before).
  Duration listener_stop_timeout{std::chrono::seconds(150)};
  Duration retry_initial{std::chrono::seconds(1)};
  Duration retry_max{std::chrono::seconds(30)};
  Duration rotate_every{0};                         // 0: no scheduled rotation
  Duration rotate_retry{std::chrono::minutes(10)};  // after a rotation that could not finish
};

enum class Cleanup { kNone, kRemoved, kReenabled, kFailed };
std::string_view CleanupName(Cleanup cleanup) noexcept;

struct DrainReport {
  std::string reason;
  Duration duration{0};
  bool disabled = false;          // the server confirmed the disable
  bool job_cancelled = false;     // a job was still assigned when the listener was stopped
  bool idle_unconfirmed = false;  // the server never answered "no job" before the deadline
  bool listener_stopped = false;  // the listener ended (on its own or after the SIGINT)
  Cleanup cleanup = Cleanup::kNone;
  std::optional<Error> cleanup_error;
  std::vector<std::string> acknowledged;  // event ids acknowledged
  std::optional<Error> acknowledge_error;
  bool ok() const { return listener_stopped && cleanup != Cleanup::kFailed && !acknowledge_error; }
};

enum class RotationResult { kRotated, kBusy, kFailed, kInterrupted };
std::string_view RotationResultName(RotationResult result) noexcept;

struct RotationReport {
  RotationResult result = RotationResult::kFailed;
  std::optional<Error> error;  // why it failed, was postponed (kBusy) or interrupted
};

// The named steps. Drain: disabling, waiting idle, stopping, cleaning, acknowledging, done.
// Rotation: disabling, waiting idle, pausing, rotating, resuming, enabling, done.
enum class Sequence { kDrain, kRotation };
enum class Step {
  kDisabling,
  kWaitingIdle,
  kStopping,
  kCleaning,
  kAcknowledging,
  kPausing,
  kRotating,
  kResuming,
  kEnabling,
  kDone
};
std::string_view SequenceName(Sequence sequence) noexcept;
std::string_view StepName(Step step) noexcept;  // "waiting idle", ...

struct Progress {
  Sequence sequence = Sequence::kDrain;
  Step step = Step::kDisabling;
  std::optional<TimePoint> deadline;   // drain: the listener is stopped by then at the latest
  std::optional<TimePoint> finish_by;  // drain: the whole drain is over by then at the latest
};

// Called on the controller's thread.
struct Callbacks {
  // Acknowledges scheduled events (IMDS StartRequests). Required when events can arrive.
  std::function<Status(const std::vector<std::string>& event_ids)> acknowledge_events;
  std::function<void(const DrainRequest& request)> on_drain_started;
  std::function<void(const DrainReport& report)> on_drain_finished;
  std::function<void(RotationResult result)> on_rotation_finished;
  // The same moment as on_rotation_finished, with the reason of a failure.
  std::function<void(const RotationReport& report)> on_rotation_report;
  // Each step of either sequence as it begins (kDone once it is over).
  std::function<void(const Progress& progress)> on_step;
  // A rotation put the new key in place (on disk, on the server, and after_key_written done),
  // before the listener is resumed: every later launch uses it.
  std::function<void()> on_key_rotated;
};

class Controller {
 public:
  // Everything must outlive the controller.
  Controller(Env& env, Mailbox& mailbox, AgentControl& agent, ListenerControl& listener,
             Policy policy, Callbacks callbacks = {});
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The controller's loop: rotations on schedule and on request, until a drain has run (its
  // report is returned), the listener ended on its own, or Shutdown.
  std::optional<DrainReport> Run();

  // A drain of an agent whose listener agentboot does not supervise (`agentboot drain` with no
  // agentboot running): steps 1, 2, 4 and 5.
  DrainReport DrainWithoutListener(DrainRequest request);

  ~Controller();

 private:
  RotationResult RotateAndReport(const std::string& reason);
  // The mailbox, the seams and what arrived while a sequence waited (src/sequencer.h).
  std::unique_ptr<detail::Sequencer> core_;
};

// ---------------------------------------------------------------------------------------------
// Idle timeout (`run --idle-timeout 30m`): an agent the server has given no job for that long
// drains and agentboot exits 0, so a scale set or a Deployment shrinks without cancelling
// anything. Only the server's view counts (the agent's assignedRequest and
// lastCompletedRequest.finishTime), never a guess from the listener's log.

struct AgentActivity {
  bool job_assigned = false;                // assignedRequest is set
  std::optional<TimePoint> last_completed;  // lastCompletedRequest.finishTime
  bool online = true;                       // status "online": the listener is connected
};

enum class IdleVerdict { kBusy, kIdle, kTimedOut };
std::string_view IdleVerdictName(IdleVerdict verdict) noexcept;

// Pure. Idle since the later of the last completed job and `watching_since` (when this agentboot
// started watching: a job finished before a restart does not count against the new run).
IdleVerdict DecideIdle(const AgentActivity& activity, TimePoint watching_since, TimePoint now,
                       Duration timeout) noexcept;

// Polls the server every `poll` on env.clock and returns the drain request once DecideIdle says
// kTimedOut, or nullopt when `stopped()` became true first. Idle time counts from the first poll
// that finds the agent online (a listener still starting cannot be given a job, and is not
// stopped half-started). A failed poll is logged (once per
// failure streak) and never counts as idle. Sleeps in slices of at most a second so `stopped`
// is noticed quickly.
class IdlePoller {
 public:
  using Fetch = std::function<Result<AgentActivity>()>;
  IdlePoller(Env& env, Fetch fetch, Duration timeout, Duration poll);
  std::optional<DrainRequest> Run(const std::function<bool()>& stopped);

 private:
  Env& env_;
  Fetch fetch_;
  Duration timeout_;
  Duration poll_;
};

// The production fetch: GET the agent named by `.agent` with includeAssignedRequest and
// includeLastCompletedRequest. `client` and `files` must outlive the function.
IdlePoller::Fetch DevopsActivityFetch(devops::Client& client, agent::AgentFiles& files);

}  // namespace agentboot::lifecycle

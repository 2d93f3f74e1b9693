// agentboot::lifecycle, the controller: its policy, the named steps it reports, the drain and
// rotation reports, the callbacks and the Controller that runs both sequences.
// Part of agentboot/lifecycle.h, the module's public header: include that one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentboot/base.h"
#include "agentboot/lifecycle/messages.h"
#include "agentboot/lifecycle/seams.h"

namespace agentboot::lifecycle::detail {
class Sequencer;
}

namespace agentboot::lifecycle {

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

}  // namespace agentboot::lifecycle

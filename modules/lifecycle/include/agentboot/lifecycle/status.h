// agentboot::lifecycle, the status file: `run` keeps <agent_dir>/.agentboot.status up to date
// after every transition (of the supervisor, of a drain or rotation step), so that `drain` and
// `rotate` learn what the running agentboot did instead of guessing from key material (the s6
// supervise/status idea). One JSON object, written atomically (temp file, fsync, rename: readers
// see the old or the new status; a symlink at the path is replaced, never written through),
// mode 0644, owned by agentboot's user (root under --run-as). Fields: README, "Status file".
// Part of agentboot/lifecycle.h, the module's public header: include that one.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agentboot/base.h"
#include "agentboot/lifecycle/controller.h"

namespace agentboot::lifecycle {

inline constexpr std::string_view kStatusFileName = ".agentboot.status";
inline constexpr int kStatusVersion = 1;

enum class RunPhase { kStarting, kRunning, kRotating, kDraining, kStopping, kStopped };
std::string_view RunPhaseName(RunPhase phase) noexcept;

enum class DrainState { kNone, kDraining, kFinished };
std::string_view DrainStateName(DrainState state) noexcept;

struct DrainStatus {
  DrainState state = DrainState::kNone;
  std::string reason;                  // "SIGTERM", "scheduled event Terminate", ...
  std::string step;                    // StepName of the step in progress, "done" at the end
  std::optional<TimePoint> deadline;   // the listener is stopped by then at the latest
  std::optional<TimePoint> finish_by;  // the drain is over by then at the latest
  // Once kFinished: DrainReport::ok(), its cleanup, and what went wrong.
  bool ok = false;
  std::string cleanup;
  bool job_cancelled = false;
  std::string error;
  bool operator==(const DrainStatus&) const = default;
};

struct RotationStatus {
  int attempt = 0;           // rotations this run started (the latest is the one in progress)
  std::string step;          // StepName while one is in progress, "" otherwise
  int generation = 0;        // new keys this run put in place (0: the key it started with)
  int finished_attempt = 0;  // the attempt the last_* fields describe (0: none finished)
  std::string last_result;   // RotationResultName: "rotated", "busy", "failed", "interrupted"
  std::string last_error;    // why it was not "rotated"
  bool operator==(const RotationStatus&) const = default;
};

struct ListenerStatus {
  int pid = 0;              // 0 when no listener runs
  std::string phase;        // the supervisor's phase (supervisor::PhaseName)
  int launches = 0;         // listener processes started by this run
  int key_generation = -1;  // RotationStatus::generation at its launch; -1 before the first
  bool operator==(const ListenerStatus&) const = default;
};

struct RunStatus {
  int version = kStatusVersion;
  RunPhase phase = RunPhase::kStarting;
  int agentboot_pid = 0;
  TimePoint updated_at{};  // when the content last changed
  ListenerStatus listener;
  DrainStatus drain;
  RotationStatus rotation;
};

std::string StatusJson(const RunStatus& status);
// kInvalidArgument for text that is not a status of a known version.
[[nodiscard]] Result<RunStatus> ParseStatus(std::string_view text);
std::string StatusPath(const std::string& agent_dir);

// Keeps the status in memory and on disk. Thread-safe: the supervisor's loop, the lifecycle
// controller and the main thread all update it; writes happen under its lock, in order. `env`
// must outlive it. No I/O until the first Update.
class StatusWriter {
 public:
  StatusWriter(Env& env, std::string agent_dir, int agentboot_pid);
  StatusWriter(const StatusWriter&) = delete;
  StatusWriter& operator=(const StatusWriter&) = delete;

  // Applies `change`, derives the phase, and writes the file when the content changed (the
  // timestamp aside). A failed write keeps the status in memory, is logged once per streak of
  // failures and is tried again at the next change; its error is returned.
  Status Update(const std::function<void(RunStatus&)>& change);
  // From now on the phase is kStopping (supervision is over), then kStopped (about to exit).
  Status MarkStopping();
  Status MarkStopped();
  RunStatus Current() const;

 private:
  Status WriteLocked() REQUIRES(mu_);

  Env& env_;
  const std::string path_;
  mutable Mutex mu_;
  RunStatus status_ GUARDED_BY(mu_);
  std::optional<RunPhase> closing_ GUARDED_BY(mu_);  // kStopping or kStopped once set
  std::string written_ GUARDED_BY(mu_);              // the last content written (empty: none yet)
  bool failing_ GUARDED_BY(mu_) = false;
};

// The phase that the rest of a status implies: a drain, then a rotation, then the listener.
RunPhase DerivePhase(const RunStatus& status, std::optional<RunPhase> closing) noexcept;

// ---------------------------------------------------------------------------------------------
// Waiting on the status file (`agentboot drain`, `agentboot rotate`): signals stay the trigger
// (SIGTERM, SIGUSR1: `docker stop` needs no agentboot client), the status file tells the outcome.

// The status now, or nullopt when it is absent or unreadable (never an error: it appears soon).
using StatusReader = std::function<std::optional<RunStatus>()>;
// Whether the agentboot signalled still runs (holds its lock).
using AliveCheck = std::function<bool()>;

enum class WaitOutcome {
  kDone,      // what was asked happened
  kRefused,   // the running agentboot reported that it could not (the detail says why)
  kEnded,     // the running agentboot ended first
  kTimedOut,  // nothing conclusive before the deadline
};
struct WaitResult {
  WaitOutcome outcome = WaitOutcome::kTimedOut;
  std::string detail;             // one line for the user
  std::optional<RunStatus> last;  // the last status of the process signalled, if any
};

// The rotation attempt count of process `pid` before it is signalled (0 when unknown): a
// rotation counts only once a later attempt finishes.
int RotationBaseline(const std::optional<RunStatus>& status, int pid);
// Pure: what `status` says about the rotation asked for after `baseline`; nullopt: wait on.
// kDone only when the new key generation is in place (ownership included) and the listener was
// launched again with it.
std::optional<WaitResult> JudgeRotation(const std::optional<RunStatus>& status, int pid,
                                        int baseline);
// Polls every `poll` on `clock` until JudgeRotation decides, `alive()` turns false, or
// `deadline`.
WaitResult WaitForRotation(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                           int baseline, TimePoint deadline,
                           Duration poll = std::chrono::milliseconds(200));

// Waits until process `pid` has ended (kDone, with its drain's outcome in `last` when it wrote
// one; kRefused when that drain finished with problems). The deadline is `deadline`, moved to
// the status's drain.finish_by + `margin` once that is known, unless `fixed` (--wait).
WaitResult WaitForDrain(Clock& clock, const StatusReader& read, const AliveCheck& alive, int pid,
                        TimePoint deadline, bool fixed, Duration margin = std::chrono::seconds(60),
                        Duration poll = std::chrono::milliseconds(200));

}  // namespace agentboot::lifecycle

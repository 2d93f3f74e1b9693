// Fakes for the supervisor's seams. Test builds only (target agentboot::supervisor_testing).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor::testing {

// A launcher with scripted children: each Spawn takes the next scripted result (by default a
// new pid from 1000 up), records the spec, and the child "runs" until the test calls Exit(pid).
// Signals are recorded, never delivered. Spawned children have no output pipes. Thread-safe.
class FakeChildLauncher final : public ChildLauncher {
 public:
  struct SignalRecord {
    int pid = 0;
    int signal = 0;
    bool whole_group = false;
  };

  Result<SpawnedChild> Spawn(const LaunchSpec& spec) override;
  Status Signal(int pid, int signal, bool whole_group) override;
  Result<std::optional<ExitStatus>> TryReap(int pid) override;

  // The next Spawn fails with `error`.
  void FailNextSpawn(Error error);
  // The child `pid` has exited; the next TryReap(pid) returns `status`.
  void Exit(int pid, ExitStatus status);
  std::vector<LaunchSpec> specs() const;
  std::vector<SignalRecord> signals() const;
  std::vector<int> running() const;

 private:
  mutable std::mutex mu_;
  int next_pid_ = 1000;
  std::deque<Error> failures_;
  std::vector<LaunchSpec> specs_;
  std::vector<SignalRecord> signals_;
  std::map<int, std::optional<ExitStatus>> children_;  // nullopt while running
};

}  // namespace agentboot::supervisor::testing

#include "agentboot/supervisor_testing.h"

namespace agentboot::supervisor::testing {

Result<SpawnedChild> FakeChildLauncher::Spawn(const LaunchSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  specs_.push_back(spec);
  if (!failures_.empty()) {
    Error error = std::move(failures_.front());
    failures_.pop_front();
    return Fail(std::move(error));
  }
  const int pid = next_pid_++;
  children_[pid] = std::nullopt;
  return SpawnedChild{pid, UniqueFd(), UniqueFd()};
}

Status FakeChildLauncher::Signal(int pid, int signal, bool whole_group) {
  std::lock_guard<std::mutex> lock(mu_);
  signals_.push_back(SignalRecord{pid, signal, whole_group});
  if (children_.count(pid) == 0) return Fail(ErrorCode::kNotFound, "signal", "no such child");
  return {};
}

Result<std::optional<ExitStatus>> FakeChildLauncher::TryReap(int pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = children_.find(pid);
  if (it == children_.end()) return Fail(ErrorCode::kNotFound, "waitpid", "no such child");
  std::optional<ExitStatus> status = it->second;
  if (status) children_.erase(it);
  return status;
}

void FakeChildLauncher::FailNextSpawn(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.push_back(std::move(error));
}

void FakeChildLauncher::Exit(int pid, ExitStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  children_[pid] = status;
}

std::vector<LaunchSpec> FakeChildLauncher::specs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return specs_;
}

std::vector<FakeChildLauncher::SignalRecord> FakeChildLauncher::signals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return signals_;
}

std::vector<int> FakeChildLauncher::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<int> pids;
  for (const auto& [pid, status] : children_) {
    if (!status) pids.push_back(pid);
  }
  return pids;
}

}  // namespace agentboot::supervisor::testing

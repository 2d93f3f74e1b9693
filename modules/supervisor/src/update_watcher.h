// Watches <agent_root>/_diag for the self-update result (agent-contract §4, step 6): the update
// script renames its log to SelfUpdate-<utc>.log.succeed or .failed after swapping bin/externals.
// inotify on _diag wakes the loop when it exists; otherwise the loop rescans it every
// Options::update_poll_interval, only while waiting for an update. Owned by the loop thread.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor::detail {

class UpdateWatcher {
 public:
  UpdateWatcher(FileSystem& fs, std::string diag_directory)
      : fs_(fs), diag_(std::move(diag_directory)) {}
  UpdateWatcher(const UpdateWatcher&) = delete;
  UpdateWatcher& operator=(const UpdateWatcher&) = delete;

  // Remembers the markers present now; only markers created later count. Called at each launch,
  // so a marker written between the listener's exit and Start() is not missed.
  void Snapshot();
  // Starts watching (inotify when _diag exists). Safe to call again.
  void Start();
  void Stop();
  bool active() const noexcept { return active_; }
  // The inotify descriptor to poll, or -1 when the loop must rescan on a timer.
  int fd() const noexcept { return inotify_.get(); }
  // Consumes inotify events and rescans: the first new marker, if any.
  std::optional<UpdateSwapped> Check();

 private:
  std::set<std::string> Markers();

  FileSystem& fs_;
  std::string diag_;
  std::set<std::string> known_;
  UniqueFd inotify_;
  bool active_ = false;
};

}  // namespace agentboot::supervisor::detail

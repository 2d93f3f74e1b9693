#include "update_watcher.h"

#include <array>

#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace agentboot::supervisor::detail {
namespace {

constexpr std::string_view kPrefix = "SelfUpdate-";
constexpr std::string_view kSucceeded = ".log.succeed";
constexpr std::string_view kFailed = ".log.failed";

bool IsMarker(std::string_view name) {
  return StartsWith(name, kPrefix) && (EndsWith(name, kSucceeded) || EndsWith(name, kFailed));
}

}  // namespace

std::set<std::string> UpdateWatcher::Markers() {
  std::set<std::string> markers;
  auto names = fs_.ListDirectory(diag_);
  if (!names) return markers;  // no _diag yet: nothing to compare against
  for (auto& name : *names) {
    if (IsMarker(name)) markers.insert(std::move(name));
  }
  return markers;
}

void UpdateWatcher::Snapshot() { known_ = Markers(); }

void UpdateWatcher::Start() {
  active_ = true;
  if (inotify_.valid()) return;
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd.valid()) return;
  // The script renames the log (IN_MOVED_TO); a plain create is accepted too.
  if (::inotify_add_watch(fd.get(), diag_.c_str(), IN_CREATE | IN_MOVED_TO) < 0) return;
  inotify_ = std::move(fd);
}

void UpdateWatcher::Stop() {
  active_ = false;
  inotify_.Reset();
}

std::optional<UpdateSwapped> UpdateWatcher::Check() {
  if (!active_) return std::nullopt;
  if (inotify_.valid()) {
    // The events only wake us; the directory listing below is the truth.
    alignas(inotify_event) std::array<char, 4096> buffer{};
    while (::read(inotify_.get(), buffer.data(), buffer.size()) > 0) {
    }
  }
  for (const auto& name : Markers()) {
    if (known_.count(name) != 0) continue;
    known_.insert(name);
    return UpdateSwapped{EndsWith(name, kSucceeded), name};
  }
  return std::nullopt;
}

}  // namespace agentboot::supervisor::detail

#include "idle_watch.h"

#include <algorithm>

#include "admin_flags.h"

namespace agentboot::cli {

IdleWatch::IdleWatch(App& app, lifecycle::IdlePoller::Fetch fetch, Duration timeout, Duration poll)
    : poller_(app.env(), std::move(fetch), timeout, poll) {}

IdleWatch::~IdleWatch() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void IdleWatch::Start(lifecycle::Mailbox& mailbox) {
  thread_ = std::thread([this, &mailbox] {
    if (auto request = poller_.Run([this] { return stopping_.load(); })) {
      mailbox.Post(std::move(*request));
    }
  });
}

Status CheckIdleTimeout(const RunFlags& flags) {
  if (flags.idle_timeout.empty()) return {};
  auto timeout = ParseAdminDuration("--idle-timeout", flags.idle_timeout);
  if (!timeout) return Fail(std::move(timeout.error()));
  return {};
}

std::unique_ptr<IdleWatch> MakeIdleWatch(App& app, devops::Client& client, agent::AgentFiles& files,
                                         const RunFlags& flags) {
  if (flags.idle_timeout.empty()) return nullptr;
  auto timeout = ParseAdminDuration("--idle-timeout", flags.idle_timeout);
  if (!timeout) return nullptr;
  // Poll a tenth of the timeout, between 1 s and a minute: a 30m timeout is honoured within 1m.
  const Duration poll =
      std::clamp<Duration>(*timeout / 10, std::chrono::seconds(1), std::chrono::minutes(1));
  app.log().Log(LogLevel::kInfo, "idle", "the agent drains after a period without jobs",
                {{"idle_timeout", flags.idle_timeout}});
  return std::make_unique<IdleWatch>(app, lifecycle::DevopsActivityFetch(client, files), *timeout,
                                     poll);
}

}  // namespace agentboot::cli

// The idle timeout: DecideIdle and IdlePoller (lifecycle.h).
#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

constexpr std::string_view kSource = "idle";

// "30m", "2h", "90s".
std::string Human(Duration d) {
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace

std::string_view IdleVerdictName(IdleVerdict verdict) noexcept {
  switch (verdict) {
    case IdleVerdict::kBusy:
      return "busy";
    case IdleVerdict::kIdle:
      return "idle";
    case IdleVerdict::kTimedOut:
      return "idle timeout";
  }
  return "busy";
}

IdleVerdict DecideIdle(const AgentActivity& activity, TimePoint watching_since, TimePoint now,
                       Duration timeout) noexcept {
  if (activity.job_assigned) return IdleVerdict::kBusy;
  TimePoint since = watching_since;
  if (activity.last_completed && *activity.last_completed > since) since = *activity.last_completed;
  return now - since >= timeout ? IdleVerdict::kTimedOut : IdleVerdict::kIdle;
}

IdlePoller::IdlePoller(Env& env, Fetch fetch, Duration timeout, Duration poll)
    : env_(env), fetch_(std::move(fetch)), timeout_(timeout), poll_(poll) {}

std::optional<DrainRequest> IdlePoller::Run(const std::function<bool()>& stopped) {
  std::optional<TimePoint> online_since;
  bool failing = false;
  while (!stopped()) {
    auto activity = fetch_();
    if (!activity) {
      if (!failing) {
        env_.log.Log(LogLevel::kWarning, kSource, "cannot read the agent's activity; not idle",
                     {{"error", activity.error().ToString()}});
      }
      failing = true;
    } else {
      failing = false;
      if (!online_since && activity->online) online_since = env_.clock.Now();
      if (online_since && DecideIdle(*activity, *online_since, env_.clock.Now(), timeout_) ==
                              IdleVerdict::kTimedOut) {
        env_.log.Log(LogLevel::kInfo, kSource, "no job for the idle timeout: draining",
                     {{"idle_timeout", Human(timeout_)}});
        return DrainRequest{"idle for " + Human(timeout_), std::nullopt, {}};
      }
    }
    for (Duration slept{0}; slept < poll_ && !stopped();) {
      const Duration slice = std::min<Duration>(poll_ - slept, std::chrono::seconds(1));
      env_.clock.SleepFor(slice);
      slept += slice;
    }
  }
  return std::nullopt;
}

IdlePoller::Fetch DevopsActivityFetch(devops::Client& client, agent::AgentFiles& files) {
  return [&client, &files]() -> Result<AgentActivity> {
    auto settings = files.LoadSettings();
    if (!settings) return Fail(std::move(settings.error()));
    auto agent = client.GetAgentActivity(settings->pool_id, settings->agent_id);
    if (!agent) return Fail(std::move(agent.error()));
    return AgentActivity{agent->has_assigned_request, agent->last_completed_finish_time,
                         EqualsIgnoreCase(agent->status, "online")};
  };
}

}  // namespace agentboot::lifecycle

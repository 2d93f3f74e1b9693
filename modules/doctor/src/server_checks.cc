// Server-side judgements of `agentboot doctor`: the caller as Azure DevOps sees it, clock skew,
// the registered agent.
#include "agentboot/doctor.h"

namespace agentboot::doctor {

bool IsAnonymous(const devops::ConnectionData& data) {
  return data.user_id == "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa" ||
         StartsWith(data.user_descriptor, "System:PublicAccess");
}

Check CheckConnectionData(const devops::ConnectionData& data) {
  Check check{"organization access", Outcome::kPass, "", ""};
  if (IsAnonymous(data)) {
    check.outcome = Outcome::kFail;
    check.result = "Azure DevOps sees the caller as Anonymous (public access)";
    check.fix =
        "Add the identity to the organization (Organization settings > Users) with a Basic "
        "licence.";
    return check;
  }
  check.result = "known as " +
                 (data.user_display_name.empty() ? data.user_id : data.user_display_name) +
                 " (id " + data.user_id + ")";
  return check;
}

Check CheckClockSkew(std::optional<TimePoint> server_date, TimePoint local, Duration tolerance) {
  Check check{"clock skew", Outcome::kPass, "", ""};
  if (!server_date) {
    check.outcome = Outcome::kWarn;
    check.result = "the server sent no Date header";
    check.fix = "A proxy may strip headers; compare the clock with an NTP server by hand.";
    return check;
  }
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(local - *server_date);
  const int64_t seconds = skew.count();
  check.result = seconds >= 0
                     ? "local clock is " + std::to_string(seconds) + " s ahead of the server's"
                     : "local clock is " + std::to_string(-seconds) + " s behind the server's";
  if (std::chrono::abs(skew) > tolerance) {
    check.outcome = Outcome::kFail;
    check.fix =
        "Synchronise the host's clock (chrony or systemd-timesyncd): tokens and "
        "assertions are refused beyond about 5 minutes of skew.";
  }
  return check;
}

Check CheckRegisteredAgent(const devops::Agent& agent) {
  Check check{"registered agent", Outcome::kPass, "", ""};
  check.result = "'" + agent.name + "' (id " + std::to_string(agent.id) +
                 "): " + (agent.enabled ? "enabled" : "disabled") + ", " + agent.status + ", " +
                 (agent.has_assigned_request ? "running a job" : "no job") + ", version " +
                 agent.version;
  if (!agent.enabled) {
    check.outcome = Outcome::kFail;
    check.fix =
        "The agent is disabled (a drain that did not finish?): enable it in the pool's "
        "Agents tab, or run `agentboot drain` to finish the drain.";
  } else if (!EqualsIgnoreCase(agent.status, "online")) {
    check.outcome = Outcome::kWarn;
    check.fix = "The agent is offline: start it with `agentboot run`.";
  }
  return check;
}

}  // namespace agentboot::doctor

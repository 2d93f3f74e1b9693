// `run`'s checks that need no network (issue 15 item 3): a bad flag, an unknown --run-as user or
// a missing local package is reported before the first token, download or registration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agentboot/lifecycle.h"
#include "agentboot/supervisor.h"

#include "app.h"
#include "run_flags.h"

namespace agentboot::cli {

// The listener's account under --run-as (empty without it).
struct RunAs {
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> groups;
};

// What the checks produced, for the rest of the run.
struct LocalRun {
  lifecycle::Policy policy;
  RunAs run_as;
  supervisor::ListenerEnvironment listener_env;
};

// The organization URL is given, the lifecycle flags and --capability parse, --run-as is only
// used by root and names a user, --env is acceptable and a local --agent-package is a readable
// file. kExitOk with `out` filled, or the exit code of a failure already printed with advice.
int ValidateRunLocally(App& app, const RunFlags& flags, LocalRun& out);

// kInvalidArgument when neither --url nor AZP_URL gave an organization (`command` names it).
[[nodiscard]] Status RequireOrganizationUrl(const std::string& command, const std::string& url);

}  // namespace agentboot::cli

// Self-update as SelfUpdater does it (agent-contract §4 "Self-update", §6): the package of the
// target version, an unauthenticated download, the SHA-256 check, `tar -xzf` under
// <work>/_update, bin.<ver> and externals.<ver> in the root, and <work>/_update.sh started
// detached. The script waits for this process to go, swaps the bin/externals links and renames
// _diag/SelfUpdate-<utc>.log to .succeed or .failed.
#pragma once

#include <string>

#include "agentboot/base.h"

#include "listener_server.h"

namespace agentboot::fake_agent {

// OK once the update script runs; the caller then exits with 3 (or 4 with --once).
[[nodiscard]] Status SelfUpdate(ServerConnection& server, const std::string& root,
                                const std::string& target_version);

// The update script's text (pure, so its shape can be read in one place).
std::string UpdateScript(const std::string& root, int listener_pid, const std::string& old_version,
                         const std::string& new_version, const std::string& stamp);

}  // namespace agentboot::fake_agent

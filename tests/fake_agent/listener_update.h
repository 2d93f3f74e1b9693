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

// OK once the update script runs; the caller then exits with 3 (or 4 with --once). Before the
// script starts, the package's top-level files are copied over the root's (SelfUpdater.cs:
// 450-456, File.CopyTo with overwrite: a symlink there is written through). With
// `restart_interactive` (no --once, not started as a service) the script starts
// "$root/run.sh" in the background after renaming its log to .succeed
// (update.sh.template:125-135).
[[nodiscard]] Status SelfUpdate(ServerConnection& server, const std::string& root,
                                const std::string& target_version, bool restart_interactive);

struct UpdateScriptInputs {
  std::string root;
  std::string diag_dir;  // where SelfUpdate-<utc>.log goes (SelfUpdater.cs:567)
  int listener_pid = 0;
  std::string old_version;
  std::string new_version;
  std::string stamp;
  bool restart_interactive = false;
};

// The update script's text (pure, so its shape can be read in one place).
std::string UpdateScript(const UpdateScriptInputs& inputs);

}  // namespace agentboot::fake_agent

// Who owns what in an agent root under `run --run-as USER` (README, "Security notes"): the root
// and everything agentboot writes in it stay root's; the listener's user may read its
// configuration (.agent, .credentials, .credentials_rsaparams: mode 0640, group = the user's
// primary group) and owns only the directories it writes: _diag and its work folder. Nothing is
// ever changed through a path: descriptors are opened without following links (a symlink where
// a file or directory should be is refused or replaced), then fchown/fchmod'ed.
#pragma once

#include <cstdint>
#include <string>

#include "agentboot/base.h"

namespace agentboot::cli {

struct ListenerAccount {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// The root itself back from an older release that gave it to the listener's user: owner
// agentboot's user, no group/other write. The root is changed through a descriptor opened
// O_DIRECTORY|O_NOFOLLOW (FileSystem::ChownDirectoryNoFollow); nothing inside it is followed or
// touched. `run --run-as` calls it right after taking the lock, before
// anything else is written or removed there. kPermissionDenied when it cannot.
[[nodiscard]] Status TakeAgentRootBack(const std::string& root);
// The same through `fs` (PosixFileSystem() above): Lstat, then ChownDirectoryNoFollow.
[[nodiscard]] Status TakeAgentRootBack(FileSystem& fs, const std::string& root);

// Takes the root back (owner: agentboot's user, no group/other write) if an older release gave
// it away, shares the configuration files with `account`'s group, and makes `_diag` and the
// work folder (`work_folder`, a plain name below the root; any other path is left alone) belong to
// `account`. kPermissionDenied when a file is not a regular file or cannot be changed.
[[nodiscard]] Status ShareAgentRoot(const std::string& root, const std::string& work_folder,
                                    const ListenerAccount& account);
// The same through `fs` (PosixFileSystem() above): ChownNoFollow for the files,
// ChownDirectoryNoFollow for the root and the directories.
[[nodiscard]] Status ShareAgentRoot(FileSystem& fs, const std::string& root,
                                    const std::string& work_folder, const ListenerAccount& account);

}  // namespace agentboot::cli

// Safe modes in an unpacked package (private to agentboot::agent; security-review L5).
#pragma once

#include <string>

#include "agentboot/base.h"

namespace agentboot::agent::detail {

// The options tar gets, as root, on top of -xzf: the archive's owners and modes are not applied
// (files belong to agentboot's user, modes go through the umask).
inline constexpr const char* kSafeTarOptions[] = {"--no-same-owner", "--no-same-permissions"};

// Walks `dir` without following symlinks and makes every entry safe to run and read as root:
// setuid, setgid and sticky bits and group/other write are removed, and an entry owned by another
// user or group is given to agentboot's own. Refuses (kInvalidArgument) a package that holds a
// device, FIFO or socket.
[[nodiscard]] Status MakePackageTreeSafe(const std::string& dir);

}  // namespace agentboot::agent::detail

// agentboot::base — Trust checks on the real file system, and process hardening. Included through
// agentboot/base.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agentboot/base/error.h"

namespace agentboot {

// Trust checks on the real file system (not the seam: they are about owners, which only the OS
// knows). Root never follows, trusts or writes through anything another user can change.

struct DirectoryTrust {
  // Besides root and agentboot's own user, who may own the directory itself (never a parent):
  // the --run-as user of an agent directory that an older release handed over.
  std::optional<uint32_t> also_owner;
  // The directory itself may belong to anyone (still not group/other-writable; parents as
  // always): for commands that run nothing from it and check each file they trust.
  bool any_owner = false;
};

// Like sshd's StrictModes: `path` and every directory above it (both as written and with its
// symlinks resolved) must be owned by root or agentboot's own user and not be writable by group
// or others. A parent that is sticky and root-owned (/tmp) is accepted: others cannot rename or
// remove what agentboot keeps there. A `path` that does not exist yet is judged by its existing
// ancestors. kInvalidArgument naming the directory, with advice.
[[nodiscard]] Status CheckTrustedDirectory(const std::string& path, const DirectoryTrust& trust);

// The content of `path`, read only if it is a file agentboot may trust: opened O_NOFOLLOW (a
// symlink is refused), then fstat on the descriptor: a regular file of at most `max_size` bytes,
// owned by root or agentboot's own user and not writable by group or others. kNotFound when
// absent; kInvalidArgument (with advice) otherwise.
[[nodiscard]] Result<std::string> ReadTrustedFile(const std::string& path, uint64_t max_size);

// No core files and no ptrace/proc access to this process by other users: PR_SET_DUMPABLE 0 and a
// soft RLIMIT_CORE of 0 (the hard limit is kept, so children may raise theirs). Call first thing
// in main; kInternal if the kernel refused.
[[nodiscard]] Status DisableCoreDumps();

}  // namespace agentboot

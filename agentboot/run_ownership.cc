#include "run_ownership.h"

#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr uint32_t kSharedFileMode = 0640;
constexpr uint32_t kListenerDirMode = 0750;
constexpr uint32_t kRootMode = 0755;

FileOwner Self() { return FileOwner{::geteuid(), ::getegid()}; }

// The seam's refusal, as `run --run-as` words it: what was being given, and what to do.
Error Refused(const std::string& path, Error error) {
  const bool link = error.code == ErrorCode::kInvalidArgument;
  return MakeError(ErrorCode::kPermissionDenied, "give " + path + " to the --run-as user",
                   link ? "a symlink or another kind of file where a plain file or directory "
                          "should be: it and its target are left as they are"
                        : error.detail,
                   "Remove whatever is in the way (it must be a plain file or directory, not a "
                   "link) and start again.");
}

// The root itself: agentboot's, not writable by group or others.
Status TakeRootBack(FileSystem& fs, const std::string& root) {
  auto info = fs.Lstat(root);
  if (!info) return Fail(Refused(root, std::move(info.error())));
  if (info->kind == EntryKind::kDirectory && info->owner.uid == Self().uid &&
      (info->mode & 022U) == 0) {
    return {};
  }
  if (auto given = fs.ChownDirectoryNoFollow(root, Self(), kRootMode); !given) {
    return Fail(Refused(root, std::move(given.error())));
  }
  return {};
}

// A configuration file the listener reads: a regular file (a link is refused), agentboot's,
// readable by the listener's group.
Status ShareFile(FileSystem& fs, const std::string& root, const char* name, uint32_t gid) {
  auto shared = fs.ChownNoFollow(root, name, FileOwner{Self().uid, gid}, kSharedFileMode);
  if (shared || shared.error().code == ErrorCode::kNotFound) return {};
  return Fail(Refused(root + "/" + name, std::move(shared.error())));
}

// A directory the listener writes: created if missing; a symlink (or a file) there is removed
// first, never followed.
Status GiveDirectory(FileSystem& fs, const std::string& root, const std::string& name,
                     const ListenerAccount& account) {
  const std::string path = root + "/" + name;
  auto info = fs.Lstat(path);
  if (info && info->kind != EntryKind::kDirectory) {
    if (auto removed = fs.Remove(path); !removed) return Fail(Refused(path, removed.error()));
  }
  if (auto made = fs.CreateDirectories(path, kListenerDirMode); !made) {
    return Fail(Refused(path, std::move(made.error())));
  }
  if (auto given = fs.ChownDirectoryNoFollow(path, {account.uid, account.gid}, kListenerDirMode);
      !given) {
    return Fail(Refused(path, std::move(given.error())));
  }
  return {};
}

}  // namespace

Status TakeAgentRootBack(FileSystem& fs, const std::string& root) {
  Status taken = TakeRootBack(fs, root);
  if (taken) return taken;
  Error error = std::move(taken.error());
  error.context = "chown " + root;  // a local failure (exit 15), not a server's refusal
  error.advice =
      "Make the agent directory a plain directory agentboot's user can own, or give "
      "the run its own --agent-dir.";
  return Fail(std::move(error));
}

Status TakeAgentRootBack(const std::string& root) {
  return TakeAgentRootBack(PosixFileSystem(), root);
}

Status ShareAgentRoot(FileSystem& fs, const std::string& root, const std::string& work_folder,
                      const ListenerAccount& account) {
  if (auto taken = TakeRootBack(fs, root); !taken) return taken;
  for (const char* name : {".agent", ".credentials", ".credentials_rsaparams"}) {
    if (auto shared = ShareFile(fs, root, name, account.gid); !shared) return shared;
  }
  if (auto diag = GiveDirectory(fs, root, "_diag", account); !diag) return diag;
  // Only a plain name below the root is the listener's to own; anything else was chosen by an
  // administrator (an absolute path, or one reaching elsewhere) and is left as it is.
  const bool plain = !work_folder.empty() && work_folder.find('/') == std::string::npos &&
                     work_folder != "." && work_folder != "..";
  if (plain) return GiveDirectory(fs, root, work_folder, account);
  return {};
}

Status ShareAgentRoot(const std::string& root, const std::string& work_folder,
                      const ListenerAccount& account) {
  return ShareAgentRoot(PosixFileSystem(), root, work_folder, account);
}

}  // namespace agentboot::cli

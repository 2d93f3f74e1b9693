// The --run-as user's passwd entry: uid, gid, groups, and the HOME/USER/SHELL its listener gets.
#include <vector>

#include "agentboot/supervisor.h"

#include <grp.h>
#include <pwd.h>

namespace agentboot::supervisor {

Result<UserAccount> LookUpUser(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "--run-as " + name, "no such user",
                "Create the user or pass an existing one.");
  }
  UserAccount account;
  account.name = found->pw_name;
  account.uid = found->pw_uid;
  account.gid = found->pw_gid;
  account.home = found->pw_dir != nullptr ? found->pw_dir : "/";
  account.shell = found->pw_shell != nullptr ? found->pw_shell : "";
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (::getgrouplist(name.c_str(), found->pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));  // count now says how many there are
    if (::getgrouplist(name.c_str(), found->pw_gid, groups.data(), &count) < 0) count = 0;
  }
  for (int i = 0; i < count; ++i) account.groups.push_back(groups[static_cast<size_t>(i)]);
  return account;
}

}  // namespace agentboot::supervisor

// Leftover temp files of agentboot's own files in an agent root (security-review L7).
#include <cctype>

#include "agentboot/agent.h"

namespace agentboot::agent {
namespace {

// The files agentboot writes atomically in the root; WriteFileAtomic's temp file is
// "<name>.tmp.XXXXXX" (mkstemp's six characters).
constexpr std::string_view kOwnFiles[] = {".agent",
                                          ".credentials",
                                          ".credentials_rsaparams",
                                          ".credentials_rsaparams.next",
                                          ".credentials_rsaparams.previous",
                                          ".capabilities",
                                          ".agentboot.pid",
                                          ".agentboot.status"};

bool IsTempOf(std::string_view name, std::string_view file) {
  const std::string prefix = std::string(file) + ".tmp.";
  if (!StartsWith(name, prefix) || name.size() != prefix.size() + 6) return false;
  for (const char c : name.substr(prefix.size())) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

}  // namespace

bool IsStaleAgentTempFile(std::string_view name) {
  for (const std::string_view file : kOwnFiles) {
    if (IsTempOf(name, file)) return true;
  }
  return false;
}

Result<int> SweepStaleTempFiles(const AgentFiles& files) {
  const std::string root = files.root().empty() ? "." : files.root();
  auto names = files.fs().ListDirectory(root);
  if (!names) {
    if (names.error().code == ErrorCode::kNotFound) return 0;
    return Fail(std::move(names.error()));
  }
  int removed = 0;
  for (const std::string& name : *names) {
    if (!IsStaleAgentTempFile(name)) continue;
    if (auto gone = files.fs().Remove(JoinPath(root, name)); !gone)
      return Fail(std::move(gone.error()));
    ++removed;
  }
  return removed;
}

}  // namespace agentboot::agent

// agentboot-sim --agent-package VERSION=PATH: packages registered at start, exactly as
// POST /_control/devops/packages would register them (linux-x64 agent packages).
#include <iostream>

#include "devops_service.h"

namespace agentboot::sim::detail {

void PreloadAgentPackages(DevOpsService& service,
                          const std::vector<std::pair<std::string, std::string>>& packages) {
  for (const auto& [version, path] : packages) {
    Result<std::string> bytes = PosixFileSystem().ReadFile(path);
    if (!ParsePackageVersion(version) || !bytes) {
      // A missing package must not stop the simulator; the tests that need it will say so.
      std::cerr << "agentboot-sim: skipping agent package " << version << "=" << path << ": "
                << (bytes ? std::string("bad version") : bytes.error().ToString()) << "\n";
      continue;
    }
    PackageRecord package;
    package.version = version;
    package.path = path;
    package.filename = "vsts-agent-" + package.platform + "-" + version + ".tar.gz";
    package.hash = jose::Sha256Hex(*bytes);
    package.created_on = service.context().Now();
    service.org().AddPackage(package);
  }
}

}  // namespace agentboot::sim::detail

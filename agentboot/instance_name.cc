#include "instance_name.h"

#include "agentboot/imds.h"

namespace agentboot::cli {

std::string DefaultAgentName(App& app, const std::string& host_name) {
  if (app.tokens().Kind() != identity::SourceKind::kImds) return host_name;
  // Same base URL as the IMDS token source (AZURE_POD_IDENTITY_AUTHORITY_HOST overrides it).
  imds::ImdsClient client(app.transport(), imds::ImdsBaseUrl(app.env().vars));
  auto name = client.VmName();
  if (!name) {
    app.log().Log(LogLevel::kWarning, "register",
                  "could not read the VM's name from IMDS; using the host name",
                  {{"host", host_name}, {"reason", name.error().ToString()}});
    return host_name;
  }
  return *name;
}

}  // namespace agentboot::cli

// agentboot::sim — a local stand-in for the Azure endpoints agentboot talks to: IMDS, App Service /
// Container Apps, Azure Arc, Cloud Shell, Entra (client assertions, OIDC discovery, JWKS) and
// Azure DevOps, with fault injection and a request log behind a control API. Used by agentboot's
// tests, by users' own CI and by the demo. Never links http/identity/devops/agent, so a bug shared
// by the client and its fake cannot hide.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agentboot/base.h"

namespace agentboot::sim {

// The simulated tenant's identities have fixed ids, so scripts and tests can name them.
inline constexpr std::string_view kSystemAssignedClientId = "11111111-0000-4000-8000-000000000001";
inline constexpr std::string_view kSystemAssignedObjectId = "11111111-0000-4000-8000-000000000002";
inline constexpr std::string_view kSystemAssignedResourceId =
    "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/agentboot-sim/providers/"
    "Microsoft.Compute/virtualMachines/agentboot-sim-vm";
inline constexpr std::string_view kUserAssignedClientId = "22222222-0000-4000-8000-000000000001";
inline constexpr std::string_view kUserAssignedObjectId = "22222222-0000-4000-8000-000000000002";
inline constexpr std::string_view kUserAssignedResourceId =
    "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/agentboot-sim/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/agentboot-sim-identity";
inline constexpr std::string_view kWorkloadClientId = "33333333-0000-4000-8000-000000000001";
inline constexpr std::string_view kWorkloadObjectId = "33333333-0000-4000-8000-000000000002";
// The subject and audience of the workload app's default federated credential.
inline constexpr std::string_view kWorkloadSubject = "system:serviceaccount:agents:agentboot";
inline constexpr std::string_view kWorkloadAudience = "api://AzureADTokenExchange";

struct SimConfig {
  std::string host = "127.0.0.1";
  uint16_t http_port = 0;   // 0: a free port
  uint16_t https_port = 0;  // 0: a free port
  std::string state_dir;    // CA, Arc key files, issued workload token files; empty: a temp dir
  std::string state_file;   // Azure DevOps organization persisted here when set
  std::string organization = "sim";  // Azure DevOps URL is <base>/<organization>
  std::string tenant_id = "72f988bf-0000-4000-8000-000000000001";
  bool quiet = false;  // no request lines on stderr
  // Agent packages (linux-x64) registered at start: (version "4.261.0", path of the .tar.gz).
  std::vector<std::pair<std::string, std::string>> agent_packages;
  // Extra CA (PEM) that Entra trusts when it fetches a federated issuer's discovery document and
  // JWKS, besides the simulator's own CA: e.g. a storage emulator hosting a self-made issuer.
  std::string issuer_ca_file;
  // Connections each listener (HTTP, HTTPS) serves at once, one thread each while open; a
  // listener's long poll holds one. Beyond it, connections wait in a queue of the same size.
  int max_connections = 2048;
  // Detailed entries the request log keeps (the oldest go first); its counters stay exact.
  size_t request_log_capacity = 10000;
  // IMDS keeps one VM's rate limits (20 identity requests a second, 5 at a time; 5 a second for
  // the other categories) and answers 429 beyond them. Off by default: one simulator usually
  // stands in for many VMs. The control API can change it at run time.
  bool imds_limits = false;
};

// A running simulator. Start() returns once both listeners accept connections. Stop() (or the
// destructor) stops them. Thread-safe.
class Simulator {
 public:
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  virtual ~Simulator() = default;

  [[nodiscard]] static Result<std::unique_ptr<Simulator>> Start(const SimConfig& config);

  // KEY=VALUE pairs that point agentboot or any Azure SDK at this simulator. Only the default
  // flavour (IMDS: AZURE_POD_IDENTITY_AUTHORITY_HOST) and AZP_URL are un-prefixed; every other
  // flavour's variables carry AGENTBOOT_SIM_<FLAVOUR>_ so that sourcing the file never makes an SDK
  // detect two host types at once (e.g. AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT,
  // AGENTBOOT_SIM_WORKLOAD_CLIENT_ID); AGENTBOOT_SIM_CA_FILE, AGENTBOOT_SIM_CONTROL, …
  virtual std::map<std::string, std::string> EnvVars() const = 0;
  virtual std::string HttpBaseUrl() const = 0;   // http://127.0.0.1:<port>
  virtual std::string HttpsBaseUrl() const = 0;  // https://127.0.0.1:<port>
  virtual void Stop() = 0;

 protected:
  Simulator() = default;
};

// Writes the variables as KEY=VALUE lines (shell-quoted when needed) atomically, so a reader
// that sees the file sees all of it.
[[nodiscard]] Status WriteEnvFile(const std::string& path,
                                  const std::map<std::string, std::string>& vars);

}  // namespace agentboot::sim

// agentboot-sim: runs the simulator until SIGINT/SIGTERM. Scripts wait for --env-file to appear
// (it is written only once both listeners serve) and source it.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agentboot/sim.h"

#include <pthread.h>

namespace {

struct SimFlags {
  agentboot::sim::SimConfig config;
  std::string env_file;
  std::vector<std::string> packages;  // VERSION=PATH
};

void AddOptions(CLI::App& app, SimFlags& flags) {
  agentboot::sim::SimConfig& config = flags.config;
  app.add_option("--host", config.host, "Address to listen on")->capture_default_str();
  app.add_option("--http-port", config.http_port, "Plain HTTP port (0: any free port)");
  app.add_option("--https-port", config.https_port, "HTTPS port (0: any free port)");
  app.add_option("--state-dir", config.state_dir,
                 "Directory for the CA, Arc key files and workload tokens (default: a temp dir)");
  app.add_option("--state-file", config.state_file, "Persist the Azure DevOps organization here");
  app.add_option("--env-file", flags.env_file,
                 "Write KEY=VALUE lines for a shell to source once both listeners serve");
  app.add_flag("--quiet", config.quiet, "Do not print one line per request");
  app.add_option("--issuer-ca-file", config.issuer_ca_file,
                 "Extra CA (PEM) Entra trusts when fetching a federated issuer's documents")
      ->check(CLI::ExistingFile);
  app.add_option("--max-connections", config.max_connections,
                 "Connections each listener serves at once (one thread each; a listener's long "
                 "poll holds one)")
      ->capture_default_str()
      ->check(CLI::Range(4, 16384));
  app.add_option("--request-log-size", config.request_log_capacity,
                 "Detailed request log entries kept (counters stay exact)")
      ->capture_default_str();
  app.add_flag("--imds-limits", config.imds_limits,
               "IMDS keeps one VM's rate limits (20 token requests a second, 5 at a time; 5 a "
               "second for other metadata) and answers 429 beyond them");
  app.add_option("--agent-package", flags.packages,
                 "Register an agent package at start, VERSION=PATH (repeatable)");
}

// Moves each --agent-package VERSION=PATH into the config; false (after saying why) on a bad one.
bool AddAgentPackages(SimFlags& flags) {
  for (const std::string& package : flags.packages) {
    const size_t eq = package.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == package.size()) {
      std::fprintf(stderr, "agentboot-sim: --agent-package expects VERSION=PATH, got %s\n",
                   package.c_str());
      return false;
    }
    flags.config.agent_packages.emplace_back(package.substr(0, eq), package.substr(eq + 1));
  }
  return true;
}

// Blocks the stop signals before any server thread exists, so only sigwait in main sees them.
sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

}  // namespace

int main(int argc, char** argv) {
  SimFlags flags;
  CLI::App app{"agentboot-sim: local IMDS, App Service, Arc, Cloud Shell, Entra and Azure DevOps"};
  AddOptions(app, flags);
  CLI11_PARSE(app, argc, argv);
  if (!AddAgentPackages(flags)) return 2;
  const sigset_t stop_signals = BlockStopSignals();

  auto simulator = agentboot::sim::Simulator::Start(flags.config);
  if (!simulator) {
    std::fprintf(stderr, "agentboot-sim: %s\n", simulator.error().ToString().c_str());
    return 1;
  }
  if (!flags.env_file.empty()) {
    auto written = agentboot::sim::WriteEnvFile(flags.env_file, (*simulator)->EnvVars());
    if (!written) {
      std::fprintf(stderr, "agentboot-sim: %s\n", written.error().ToString().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "agentboot-sim: ready on %s and %s\n", (*simulator)->HttpBaseUrl().c_str(),
               (*simulator)->HttpsBaseUrl().c_str());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*simulator)->Stop();
  return 0;
}

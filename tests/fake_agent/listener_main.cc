// fake-agent-listener: behaves like the official Agent.Listener as far as agentboot can see it
// (agent-contract §2-4, corrected by agent-audit D1-D10). Every invocation, `--version`
// included, resolves the root from the real path of the executable and creates a trace log in
// the diagnostics directory (listener_host.h). `--version` prints the version baked in at build
// time. `run [--once] [--check] [--startuptype service]` reads the agent files from the root,
// performs the runtime OAuth flow, creates a session and listens for jobs (listener_loop.h).
// With --check it stops after the OAuth flow and exits 0.
// Exit codes (Constants.cs:252-259): 0 stopped by SIGINT or the --once job done; SIGTERM
// cancels the job like SIGINT, then ends the process by SIGTERM (the .NET runtime's default);
// 1 terminated (not configured, agent not found at session creation, session conflict past
// the limit, 401); 2 retryable (an exception out of the message loop, e.g. the agent deleted
// while polling, Program.cs:188-194); 3 update started; 4 the same with --once. A refused
// OAuth token or an unreachable server at session creation is retried for ever
// (MessageListener.cs:501-552).
#include <iostream>
#include <string>
#include <vector>

#include "agentboot/base.h"

#include "listener_host.h"
#include "listener_loop.h"
#include "listener_version.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto has = [&](const char* flag) {
    for (const std::string& arg : args) {
      if (agentboot::EqualsIgnoreCase(arg, flag)) return true;
    }
    return false;
  };
  const std::string root = agentboot::fake_agent::AgentRoot();
  agentboot::fake_agent::CreateTraceLog(root);
  if (has("--version")) {
    std::cout << agentboot::fake_agent::ListenerVersion() << std::endl;
    return 0;
  }
  // No verb means `run`; a first argument starting with "--" gets `run` put in front (§5).
  if (args.empty() || agentboot::EqualsIgnoreCase(args[0], "run") || args[0].rfind("--", 0) == 0) {
    agentboot::fake_agent::RunOptions options;
    options.once =
        has("--once") ||
        agentboot::EqualsIgnoreCase(
            agentboot::ProcessEnvironment().GetNonEmpty("VSTS_AGENT_INPUT_ONCE").value_or(""),
            "true");
    options.check = has("--check");
    // Agent.cs:217-239: no --startuptype (and no .service file) means Manual.
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (agentboot::EqualsIgnoreCase(args[i], "--startuptype")) {
        options.service = agentboot::EqualsIgnoreCase(args[i + 1], "service");
      }
    }
    agentboot::fake_agent::SetStartedAsService(options.service);
    return agentboot::fake_agent::RunListener(root, options);
  }
  if (agentboot::EqualsIgnoreCase(args[0], "configure") ||
      agentboot::EqualsIgnoreCase(args[0], "remove")) {
    return agentboot::fake_agent::RecordConfigure(root, args);
  }
  std::cerr << "Unknown command: " << args[0] << "\n";
  return 1;
}

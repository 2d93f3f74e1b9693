// fake-agent-listener: behaves like the official Agent.Listener as far as agentboot can see it
// (agent-contract §2-4). `--version` prints the version baked in at build time.
// `run [--once] [--check]` reads the agent files from <root> (the parent of the binary's
// directory, as started: a symlinked bin keeps its root), performs the runtime OAuth flow,
// creates a session and listens for jobs (listener_loop.h). With --check it stops after the
// OAuth flow and exits 0.
// Exit codes: 0 stopped by SIGINT/SIGTERM or the --once job done; 1 terminated (not configured,
// agent deleted, session conflict past the limit); 2 retryable (bad files, socket errors, a
// refused OAuth token — the real agent retries that one for ever); 3 update started; 4 the same
// with --once.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "agentboot/base.h"

#include "listener_loop.h"
#include "listener_version.h"

namespace {

std::string AgentRoot(const char* argv0) {
  std::filesystem::path self = argv0;
  if (self.has_parent_path()) {
    self = std::filesystem::absolute(self);
  } else {
    self = std::filesystem::read_symlink("/proc/self/exe");
  }
  return self.parent_path().parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto has = [&](const char* flag) {
    for (const std::string& arg : args) {
      if (agentboot::EqualsIgnoreCase(arg, flag)) return true;
    }
    return false;
  };
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
    return agentboot::fake_agent::RunListener(AgentRoot(argv[0]), options);
  }
  std::cerr << "Unknown command: " << args[0] << "\n";
  return 1;
}

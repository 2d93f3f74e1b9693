#include "run_launch.h"

#include "exit_codes.h"

namespace agentboot::cli {

int PrepareRun(const PreparationSteps& steps, identity::TokenSource& tokens) {
  for (const auto* step :
       {&steps.check_locally, &steps.secure_start, &steps.lock_agent_dir, &steps.serve_health}) {
    if (!*step) continue;
    if (const int failed = (*step)(); failed != kExitOk) return failed;
  }
  if (auto token = tokens.GetToken({}); !token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  return kExitOk;
}

supervisor::LaunchSpec ListenerLaunchSpec(const ListenerLaunch& launch,
                                          const std::map<std::string, std::string>& parent_env,
                                          const supervisor::ListenerEnvironment& listener_env) {
  supervisor::LaunchSpec spec;
  // --startuptype service: as Microsoft's run-docker.sh and service host do, so that a
  // self-update never starts a second, unsupervised listener through run.sh (agent-audit D2).
  spec.argv = {launch.agent_dir + "/bin/Agent.Listener", "run", "--startuptype", "service"};
  if (launch.once) spec.argv.emplace_back("--once");
  spec.env = supervisor::BuildListenerEnvironment(parent_env, listener_env);
  // A pinned version must not be replaced behind our back (agent-contract §4, self-update);
  // under --run-as the listener cannot write the root, so agentboot brings new versions.
  if (launch.pinned || launch.uid) spec.env["agent.disableupdate"] = "true";
  spec.working_directory = launch.agent_dir;
  spec.uid = launch.uid;
  spec.gid = launch.gid;
  spec.supplementary_groups = launch.groups;
  return spec;
}

}  // namespace agentboot::cli

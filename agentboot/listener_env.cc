#include "listener_env.h"

namespace agentboot::cli {

void AddListenerEnvironmentOption(CLI::App& command, RunFlags& flags) {
  command
      .add_option("--env", flags.env,
                  "Pass a variable to the listener and its jobs: NAME (its value here) or "
                  "NAME=VALUE (repeat); others are not passed unless on the allow-list")
      ->check(CLI::Validator(
          [](const std::string& item) -> std::string {
            const std::string problem = supervisor::EnvItemProblem(item);
            return problem.empty() ? "" : problem + "; pass --env NAME or --env NAME=VALUE";
          },
          "NAME[=VALUE]"));
}

Result<supervisor::ListenerEnvironment> ListenerEnvironmentFrom(const RunFlags& flags) {
  supervisor::ListenerEnvironment options;
  options.explicit_vars = flags.env;
  if (!flags.run_as.empty()) {
    auto account = supervisor::LookUpUser(flags.run_as);
    if (!account) return Fail(std::move(account.error()));
    options.run_as = std::move(*account);
  }
  return options;
}

}  // namespace agentboot::cli

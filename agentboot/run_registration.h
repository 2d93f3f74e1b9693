// `run` keeps its agent registered. Azure DevOps never tells a listener that its registration
// was deleted in a way it acts on: the real listener retries a refused OAuth token for ever at
// session creation and exits 2, not 1, when its agent disappears while it polls (agent-audit
// D3, MessageListener.cs:434-552). So the server decides: after any listener exit, and in the
// background while the listener runs (every minute, and at once when the listener logs a
// "not found" or `invalid_client` line), the agent is looked up; two "not found" answers in a
// row mean it was deleted, and it is registered again (fresh token) before the listener is
// launched again (a running one is first stopped with SIGINT).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/supervisor.h"

#include "run_exit_policy.h"

namespace agentboot::cli {

class RegistrationKeeper {
 public:
  // Everything must outlive this object. After a re-registration, `after_files_written` runs
  // (with --run-as: share the new files with the listener's user), then `on_registered` (the
  // health endpoint's view of the agent).
  RegistrationKeeper(Env& env, devops::Client& client, agent::AgentFiles& files,
                     agent::RegisterOptions options, agent::Registration registration,
                     std::function<void(const agent::Registration&)> on_registered,
                     std::function<Status()> after_files_written);
  RegistrationKeeper(const RegistrationKeeper&) = delete;
  RegistrationKeeper& operator=(const RegistrationKeeper&) = delete;
  ~RegistrationKeeper();  // stops the background check

  // Starts the background check, which recycles the listener through `supervisor`.
  void Start(supervisor::Supervisor& supervisor);
  // supervisor::Hooks::on_exit.
  supervisor::ExitDecision OnExit(const supervisor::ExitStatus& status);
  // Every listener output line: hints that the registration is gone, or a session conflict.
  void OnLine(std::string_view line);
  // Called by make_launch_spec: a re-registration asked for by the background check.
  [[nodiscard]] Status BeforeLaunch();

  agent::Registration registration() const;
  // The error that ended supervision (a re-registration the server refused), if any.
  std::optional<Error> fatal_error() const;

 private:
  ServerView CheckServer();
  [[nodiscard]] Status RegisterAgain();
  // Records what `verdict` asks for (the retry before the next launch, the fatal error, the
  // answered session conflict), under the lock.
  ListenerExitVerdict Decide(ListenerExitFacts facts, const std::optional<Error>& failure);
  void Watch();

  Env& env_;
  devops::Client& client_;
  agent::AgentFiles& files_;
  const agent::RegisterOptions options_;
  std::function<void(const agent::Registration&)> on_registered_;
  std::function<Status()> after_files_written_;
  supervisor::Supervisor* supervisor_ = nullptr;
  const Duration check_every_;  // the background check's period, spread per process

  mutable std::mutex mu_;
  std::condition_variable wake_;
  agent::Registration registration_;
  std::optional<Error> fatal_;
  bool reregister_ = false;        // the background check found the agent deleted
  bool hint_ = false;              // a listener line suggests a check now
  bool session_conflict_ = false;  // the listener gave up on a session conflict
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace agentboot::cli

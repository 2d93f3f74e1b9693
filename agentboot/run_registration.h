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
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/supervisor.h"

#include "app.h"
#include "run_health.h"

namespace agentboot::cli {

class RegistrationKeeper {
 public:
  // Everything must outlive this object. `after_files_written` runs after a re-registration
  // wrote new files (with --run-as: share them with the listener's user).
  RegistrationKeeper(App& app, devops::Client& client, agent::AgentFiles& files,
                     agent::RegisterOptions options, agent::Registration registration,
                     RunHealth& health, std::function<Status()> after_files_written);
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
  enum class ServerView { kPresent, kDeleted, kUnreachable, kOther };
  ServerView CheckServer();
  [[nodiscard]] Status RegisterAgain();
  void Watch();

  App& app_;
  devops::Client& client_;
  agent::AgentFiles& files_;
  const agent::RegisterOptions options_;
  RunHealth& health_;
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

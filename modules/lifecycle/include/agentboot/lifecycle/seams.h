// agentboot::lifecycle, seams: the agent (server and files) and the supervised listener, as the
// controller drives them, and the Azure DevOps implementation of the first.
// Part of agentboot/lifecycle.h, the module's public header: include that one.
#pragma once

#include <functional>
#include <memory>

#include "agentboot/base.h"

namespace agentboot::agent {
class AgentFiles;
}
namespace agentboot::devops {
class Client;
}

namespace agentboot::lifecycle {

// The agent on the server and on disk. Calls may block (network) and come from the controller's
// thread only.
class AgentControl {
 public:
  AgentControl() = default;
  AgentControl(const AgentControl&) = delete;
  AgentControl& operator=(const AgentControl&) = delete;
  virtual ~AgentControl() = default;
  // kNotFound when the agent is gone on the server.
  [[nodiscard]] virtual Status SetEnabled(bool enabled) = 0;
  // Whether the server has a job assigned to the agent right now. kNotFound when it is gone.
  [[nodiscard]] virtual Result<bool> HasAssignedJob() = 0;
  // Deletes the registration (gone already is success) and the local credentials.
  [[nodiscard]] virtual Status Remove() = 0;
  // A new key pair on disk and on the server, or the old one kept on both (crash-safe).
  [[nodiscard]] virtual Status RotateKey() = 0;
};

// The supervised listener. Each call only posts a command; completion comes back as a
// ListenerPaused or ListenerEnded message.
class ListenerControl {
 public:
  ListenerControl() = default;
  ListenerControl(const ListenerControl&) = delete;
  ListenerControl& operator=(const ListenerControl&) = delete;
  virtual ~ListenerControl() = default;
  virtual void Stop() = 0;    // SIGINT, SIGKILL at the supervisor's stop timeout; supervision ends
  virtual void Pause() = 0;   // SIGINT, then wait in the paused phase
  virtual void Resume() = 0;  // launch again after a pause
};

// The Azure DevOps implementation: the pool and agent ids are read from `.agent` for every call
// (a re-registration may change them), the key is rotated with agent::RotateKey. `client`,
// `files` and `env` must outlive it. `after_key_written`, when set, runs after every rotation
// attempt (the key file may have been rewritten, e.g. to give it to the listener's user); its
// error fails the rotation.
std::unique_ptr<AgentControl> NewDevopsAgentControl(
    devops::Client& client, agent::AgentFiles& files, Env& env,
    std::function<Status()> after_key_written = nullptr);

}  // namespace agentboot::lifecycle

// AgentControl on Azure DevOps: the pool and agent ids come from `.agent` at every call.
#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle {
namespace {

class DevopsAgentControl final : public AgentControl {
 public:
  DevopsAgentControl(devops::Client& client, agent::AgentFiles& files, Env& env,
                     std::function<Status()> after_key_written)
      : client_(client),
        files_(files),
        env_(env),
        after_key_written_(std::move(after_key_written)) {}

  Status SetEnabled(bool enabled) override {
    auto settings = files_.LoadSettings();
    if (!settings) return Fail(settings.error());
    auto changed = client_.SetAgentEnabled(settings->pool_id, settings->agent_id, enabled);
    if (!changed) return Fail(changed.error());
    return Status{};
  }

  Result<bool> HasAssignedJob() override {
    auto settings = files_.LoadSettings();
    if (!settings) return Fail(settings.error());
    auto agent = client_.GetAgent(settings->pool_id, settings->agent_id);
    if (!agent) return Fail(agent.error());
    return agent->has_assigned_request;
  }

  Status Remove() override {
    auto removed = agent::Unregister(client_, files_, env_, "", "", false);
    if (!removed) return Fail(removed.error());
    return Status{};
  }

  Status RotateKey() override {
    auto rotated = agent::RotateKey(client_, files_, env_);
    // Success or not, the key file may have been written again (the old key put back).
    if (after_key_written_) {
      if (auto done = after_key_written_(); !done) return done;
    }
    if (!rotated) return Fail(rotated.error());
    return Status{};
  }

 private:
  devops::Client& client_;
  agent::AgentFiles& files_;
  Env& env_;
  std::function<Status()> after_key_written_;
};

}  // namespace

std::unique_ptr<AgentControl> NewDevopsAgentControl(devops::Client& client,
                                                    agent::AgentFiles& files, Env& env,
                                                    std::function<Status()> after_key_written) {
  return std::make_unique<DevopsAgentControl>(client, files, env, std::move(after_key_written));
}

}  // namespace agentboot::lifecycle

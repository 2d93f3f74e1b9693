// FleetServer over the Azure DevOps REST client.
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

class DevopsFleetServer final : public FleetServer {
 public:
  DevopsFleetServer(devops::Client& client, http::Transport& transport, std::string url)
      : client_(client), transport_(transport), url_(std::move(url)) {}
  Result<devops::Pool> FindPool(const std::string& name) override {
    auto pool = client_.FindPool(name);
    if (pool || pool.error().code != ErrorCode::kNotFound) return pool;
    Error error = pool.error();
    if (auto visible = client_.ListPools()) {
      error.advice = "Check --pool; " + devops::FormatVisiblePools(*visible) + ".";
    }
    return Fail(std::move(error));
  }
  Result<std::vector<devops::Pool>> ManagedPools() override { return client_.ListManagedPools(); }
  Result<std::vector<devops::Agent>> Agents(int64_t pool_id) override {
    return client_.ListAgents(pool_id);
  }
  Result<devops::Agent> Agent(int64_t pool_id, int64_t agent_id) override {
    return client_.GetAgentActivity(pool_id, agent_id);
  }
  Status Delete(int64_t pool_id, int64_t agent_id) override {
    return client_.DeleteAgent(pool_id, agent_id);
  }
  Result<TimePoint> Now() override {
    http::Request request;
    request.url = (EndsWith(url_, "/") ? url_ : url_ + "/") + "_apis/connectionData";
    auto response = transport_.Send(request);
    if (!response) return Fail(std::move(response.error()));
    const auto date = response->Header("Date");
    const auto parsed = date ? http::ParseHttpDate(*date) : std::nullopt;
    if (!parsed) {
      return Fail(ErrorCode::kUnavailable, "GET " + request.url,
                  "the answer has no Date header, so the server's time is unknown",
                  "A proxy may strip it; prune measures ages on the server's clock only.");
    }
    return *parsed;
  }

 private:
  devops::Client& client_;
  http::Transport& transport_;
  std::string url_;
};

}  // namespace

std::unique_ptr<FleetServer> NewDevopsFleetServer(devops::Client& client,
                                                  http::Transport& transport,
                                                  std::string organization_url) {
  return std::make_unique<DevopsFleetServer>(client, transport, std::move(organization_url));
}

}  // namespace agentboot::fleet

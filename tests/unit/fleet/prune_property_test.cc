// Property test of Prune over random pools: whatever the pools hold, whatever changes between
// the listing and the deletion, and wherever the server fails, prune never deletes an agent that
// is not (at the moment of its DELETE) owned, not a placeholder, offline longer than the
// threshold and without a job. And when nothing fails or changes, it deletes every such agent.
#include <random>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/fleet.h"

namespace agentboot::fleet {
namespace {

constexpr Duration kThreshold = std::chrono::minutes(30);

struct World {
  std::vector<devops::Pool> pools;
  std::map<int64_t, devops::Agent> agents;  // by id
  std::map<int64_t, int64_t> pool_of;       // agent id -> pool id
};

// The truth the fake server holds, on its own clock (the host's plus `skew`); it may change the
// agents it is asked about (a listener comes back, a job is assigned) and fail at a chosen call.
class FakeServer final : public FleetServer {
 public:
  FakeServer(World world, std::mt19937& rng, Clock& clock, Duration skew = Duration(0))
      : world_(std::move(world)), rng_(rng), clock_(clock), skew_(skew) {}

  int fail_at = -1;          // the call number that fails (-1: none)
  double change_chance = 0;  // chance that Agent() finds the agent changed
  std::vector<int64_t> deleted;
  std::vector<std::string> violations;
  int calls = 0;
  bool failed = false;

  Result<devops::Pool> FindPool(const std::string& name) override {
    if (auto error = MaybeFail()) return Fail(*error);
    for (const auto& pool : world_.pools) {
      if (pool.name == name) return pool;
    }
    return Fail(ErrorCode::kNotFound, "pool " + name, "agent pool not found");
  }
  Result<std::vector<devops::Pool>> ManagedPools() override {
    if (auto error = MaybeFail()) return Fail(*error);
    return world_.pools;
  }
  Result<std::vector<devops::Agent>> Agents(int64_t pool_id) override {
    if (auto error = MaybeFail()) return Fail(*error);
    std::vector<devops::Agent> out;
    for (const auto& [id, agent] : world_.agents) {
      if (world_.pool_of[id] == pool_id) out.push_back(agent);
    }
    return out;
  }
  Result<devops::Agent> Agent(int64_t, int64_t agent_id) override {
    if (auto error = MaybeFail()) return Fail(*error);
    auto it = world_.agents.find(agent_id);
    if (it == world_.agents.end()) return Fail(ErrorCode::kNotFound, "agent", "gone");
    if (std::bernoulli_distribution(change_chance)(rng_)) Change(it->second);
    return it->second;
  }
  Result<TimePoint> Now() override {
    if (auto error = MaybeFail()) return Fail(*error);
    return ServerNow();
  }
  Status Delete(int64_t, int64_t agent_id) override {
    if (auto error = MaybeFail()) return Fail(*error);
    auto it = world_.agents.find(agent_id);
    if (it == world_.agents.end()) return Fail(ErrorCode::kNotFound, "agent", "gone");
    if (failed) violations.push_back("deleted after a failure: " + it->second.name);
    CheckDeletable(it->second);
    deleted.push_back(agent_id);
    world_.agents.erase(it);
    return {};
  }

 private:
  std::optional<Error> MaybeFail() {
    if (calls++ != fail_at) return std::nullopt;
    failed = true;
    const bool auth = std::bernoulli_distribution(0.5)(rng_);
    return MakeError(auth ? ErrorCode::kUnauthenticated : ErrorCode::kUnavailable, "call",
                     "injected failure");
  }
  void Change(devops::Agent& agent) {
    switch (std::uniform_int_distribution<int>(0, 2)(rng_)) {
      case 0:
        agent.status = "online";
        agent.status_changed_on = ServerNow();
        break;
      case 1:
        agent.has_assigned_request = true;
        break;
      default:
        agent.status_changed_on = ServerNow();  // came back and went away again
        break;
    }
  }
  // The invariant, checked against the truth and the real clock, independently of DecidePrune.
  void CheckDeletable(const devops::Agent& a) {
    const auto has = [&](const char* key) {
      return a.system_capabilities.count(key) > 0 || a.user_capabilities.count(key) > 0;
    };
    std::string why;
    if (!has("agentboot")) why = "not owned";
    if (has("agentboot.placeholder")) why = "placeholder";
    if (a.status != "offline") why = "status " + a.status;
    if (a.has_assigned_request) why = "busy";
    if (!a.status_changed_on || ServerNow() - *a.status_changed_on <= kThreshold) why = "recent";
    if (!why.empty()) violations.push_back("deleted " + a.name + ": " + why);
  }

  TimePoint ServerNow() { return clock_.Now() + skew_; }

  World world_;
  std::mt19937& rng_;
  Clock& clock_;
  Duration skew_;
};

World RandomWorld(std::mt19937& rng, TimePoint now) {
  World world;
  const int pools = std::uniform_int_distribution<int>(1, 3)(rng);
  int64_t next_id = 1;
  for (int p = 1; p <= pools; ++p) {
    world.pools.push_back({p, "pool-" + std::to_string(p), false});
    const int agents = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int i = 0; i < agents; ++i) {
      devops::Agent agent;
      agent.id = next_id++;
      agent.name = "agent-" + std::to_string(agent.id);
      std::bernoulli_distribution coin(0.5);
      std::bernoulli_distribution rare(0.2);
      if (coin(rng)) agent.system_capabilities["agentboot"] = "true";
      if (rare(rng)) agent.user_capabilities["agentboot"] = "true";
      if (rare(rng)) agent.system_capabilities["agentboot.placeholder"] = "true";
      agent.status = rare(rng) ? "online" : "offline";
      agent.has_assigned_request = rare(rng);
      // Ages around the threshold: a few seconds either side, exactly on it, or far away.
      const int64_t jitter = std::uniform_int_distribution<int64_t>(-3, 3)(rng);
      const int64_t base = std::chrono::duration_cast<std::chrono::seconds>(kThreshold).count();
      int64_t age = base + jitter;
      if (rare(rng)) age = std::uniform_int_distribution<int64_t>(0, 10 * base)(rng);
      if (rare(rng) && rare(rng)) {
        agent.status_changed_on.reset();
      } else {
        agent.status_changed_on = now - std::chrono::seconds(age);
      }
      world.pool_of[agent.id] = p;
      world.agents[agent.id] = agent;
    }
  }
  return world;
}

int Eligible(const World& world, TimePoint now) {
  int count = 0;
  for (const auto& [id, agent] : world.agents) {
    count += DecidePrune(agent, now, kThreshold) == Verdict::kDelete ? 1 : 0;
  }
  return count;
}

PruneReport RunOnce(FakeServer& server, testing::FakeEnv& env, bool apply, bool by_name) {
  PruneOptions options;
  options.older_than = kThreshold;
  options.apply = apply;
  if (by_name) options.pools = {"pool-1"};
  return Prune(server, env.env, options);
}

TEST(PruneProperty, NeverDeletesWhatItMustNotAcrossRandomPoolsChangesAndFailures) {
  for (uint32_t seed = 1; seed <= 600; ++seed) {
    std::mt19937 rng(seed);
    testing::FakeEnv env;
    // The host's clock is off by up to two hours either way (four times the threshold).
    const Duration skew = std::chrono::minutes(std::uniform_int_distribution<int>(-120, 120)(rng));
    World world = RandomWorld(rng, env.clock.Now() + skew);
    FakeServer server(world, rng, env.clock, skew);
    server.fail_at = std::uniform_int_distribution<int>(-1, 21)(rng);
    server.change_chance = std::bernoulli_distribution(0.5)(rng) ? 0.3 : 0.0;
    const PruneReport report = RunOnce(server, env, true, seed % 5 == 0);
    EXPECT_TRUE(server.violations.empty()) << "seed " << seed << ": " << server.violations[0];
    EXPECT_EQ(report.deleted, static_cast<int>(server.deleted.size())) << "seed " << seed;
    EXPECT_EQ(report.error.has_value(), server.failed) << "seed " << seed;
    int audit = 0;
    for (const auto& entry : env.log.entries()) audit += entry.message == "agent deleted";
    EXPECT_EQ(audit, report.deleted) << "one audit line per deletion, seed " << seed;
  }
}

TEST(PruneProperty, WithoutFailuresOrChangesEveryEligibleAgentIsDeleted) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    testing::FakeEnv env;
    const Duration skew = std::chrono::minutes(std::uniform_int_distribution<int>(-120, 120)(rng));
    World world = RandomWorld(rng, env.clock.Now() + skew);
    const int eligible = Eligible(world, env.clock.Now() + skew);
    FakeServer server(world, rng, env.clock, skew);
    const PruneReport report = RunOnce(server, env, true, false);
    ASSERT_FALSE(report.error) << report.error->ToString();
    EXPECT_EQ(report.candidates, eligible) << "seed " << seed;
    EXPECT_EQ(report.deleted, eligible) << "seed " << seed;
    EXPECT_TRUE(server.violations.empty()) << "seed " << seed;
  }
}

TEST(PruneProperty, ADryRunNeverDeletes) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    testing::FakeEnv env;
    World world = RandomWorld(rng, env.clock.Now());
    FakeServer server(world, rng, env.clock);
    const PruneReport report = RunOnce(server, env, false, false);
    EXPECT_TRUE(server.deleted.empty()) << "seed " << seed;
    EXPECT_EQ(report.candidates, Eligible(world, env.clock.Now())) << "seed " << seed;
    for (const auto& row : report.rows) {
      EXPECT_TRUE(row.action == Action::kKeep || row.action == Action::kWouldDelete);
    }
  }
}

TEST(Prune, AgesAreMeasuredOnTheServersClockNotTheHosts) {
  std::mt19937 rng(1);
  testing::FakeEnv env;
  const Duration skew = -std::chrono::hours(3);  // the host runs three hours ahead
  World world;
  world.pools = {{1, "pool-1", false}};
  devops::Agent agent;
  agent.id = 1;
  agent.name = "just-rebooted";
  agent.status = "offline";
  agent.system_capabilities = {{"agentboot", "true"}};
  agent.status_changed_on = env.clock.Now() + skew - std::chrono::minutes(5);
  world.agents[1] = agent;
  world.pool_of[1] = 1;
  FakeServer server(world, rng, env.clock, skew);
  const PruneReport report = RunOnce(server, env, true, false);
  ASSERT_FALSE(report.error);
  EXPECT_EQ(report.rows.at(0).verdict, Verdict::kKeepRecent);
  EXPECT_TRUE(server.deleted.empty());
}

TEST(Prune, AnUnknownServerTimeStopsBeforeAnythingIsListed) {
  std::mt19937 rng(1);
  testing::FakeEnv env;
  FakeServer server(World{}, rng, env.clock);
  server.fail_at = 0;
  const PruneReport report = RunOnce(server, env, true, false);
  ASSERT_TRUE(report.error);
  EXPECT_TRUE(report.rows.empty());
  EXPECT_EQ(server.calls, 1);
}

TEST(Prune, AnAgentThatCameBackBeforeItsDeletionIsKept) {
  std::mt19937 rng(1);
  testing::FakeEnv env;
  World world;
  world.pools = {{1, "pool-1", false}};
  devops::Agent agent;
  agent.id = 1;
  agent.name = "a";
  agent.status = "offline";
  agent.system_capabilities = {{"agentboot", "true"}};
  agent.status_changed_on = env.clock.Now() - std::chrono::hours(2);
  world.agents[1] = agent;
  world.pool_of[1] = 1;
  FakeServer server(world, rng, env.clock);
  server.change_chance = 1.0;
  const PruneReport report = RunOnce(server, env, true, false);
  ASSERT_EQ(report.rows.size(), 1U);
  EXPECT_EQ(report.rows[0].action, Action::kKeptOnRecheck);
  EXPECT_TRUE(server.deleted.empty());
}

TEST(Prune, AFailureStopsTheRunAndSkipsTheRest) {
  std::mt19937 rng(1);
  testing::FakeEnv env;
  World world;
  world.pools = {{1, "pool-1", false}};
  for (int64_t id = 1; id <= 3; ++id) {
    devops::Agent agent;
    agent.id = id;
    agent.name = "a" + std::to_string(id);
    agent.status = "offline";
    agent.system_capabilities = {{"agentboot", "true"}};
    agent.status_changed_on = env.clock.Now() - std::chrono::hours(2);
    world.agents[id] = agent;
    world.pool_of[id] = 1;
  }
  FakeServer server(world, rng, env.clock);
  server.fail_at = 5;  // time, pools, agents, get a1, delete a1, get a2 fails
  const PruneReport report = RunOnce(server, env, true, false);
  ASSERT_TRUE(report.error);
  EXPECT_EQ(report.deleted, 1);
  EXPECT_EQ(report.rows[0].action, Action::kDeleted);
  EXPECT_EQ(report.rows[1].action, Action::kFailed);
  EXPECT_EQ(report.rows[2].action, Action::kSkipped);
  EXPECT_NE(report.error->advice.find("a2"), std::string::npos) << report.error->advice;
}

}  // namespace
}  // namespace agentboot::fleet

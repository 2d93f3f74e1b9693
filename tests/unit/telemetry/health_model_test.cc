#include <chrono>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/telemetry.h"

namespace agentboot::telemetry {
namespace {

using namespace std::chrono_literals;
using agentboot::testing::FakeClock;

bool HasReasonContaining(const nlohmann::json& body, const std::string& needle) {
  for (const auto& reason : body.at("reasons")) {
    if (reason.get<std::string>().find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(HealthModel, HealthzFollowsAgentbootAndListenerLiveness) {
  FakeClock clock;
  HealthModel model(clock);
  EXPECT_FALSE(model.Healthz().ok);  // the listener has not started yet
  EXPECT_TRUE(HasReasonContaining(model.Healthz().body, "listener is not alive"));

  model.SetListener("running", true);
  const auto healthy = model.Healthz();
  EXPECT_TRUE(healthy.ok);
  EXPECT_EQ(healthy.body.at("status"), "ok");
  EXPECT_TRUE(healthy.body.at("reasons").empty());

  model.SetAgentbootAlive(false);
  EXPECT_FALSE(model.Healthz().ok);
  EXPECT_EQ(model.Healthz().body.at("status"), "unhealthy");
  EXPECT_TRUE(HasReasonContaining(model.Healthz().body, "run loop has stopped"));
}

TEST(HealthModel, ReadyWhenRegisteredEnabledOnlineAndRecentlyContacted) {
  FakeClock clock;
  HealthModel model(clock);
  model.SetListener("running", true);
  EXPECT_TRUE(HasReasonContaining(model.Readyz().body, "no successful server contact yet"));

  model.SetServerView(true, true, true);
  const auto ready = model.Readyz();
  EXPECT_TRUE(ready.ok) << ready.body.dump();
  EXPECT_EQ(ready.body.at("status"), "ok");
  EXPECT_EQ(ready.body.at("last_server_contact_age_seconds"), 0);
}

TEST(HealthModel, StaleServerContactMakesItNotReady) {
  FakeClock clock;
  HealthModel model(clock, HealthOptions{std::chrono::minutes(5)});
  model.SetListener("running", true);
  model.SetServerView(true, true, true);

  clock.Advance(300s);
  EXPECT_TRUE(model.Readyz().ok);  // exactly at the limit is still fresh
  clock.Advance(1s);
  const auto stale = model.Readyz();
  EXPECT_FALSE(stale.ok);
  EXPECT_EQ(stale.body.at("status"), "not ready");
  EXPECT_EQ(stale.body.at("last_server_contact_age_seconds"), 301);
  EXPECT_TRUE(HasReasonContaining(stale.body, "301s ago, older than the 300s limit"));

  model.RecordServerContact();
  EXPECT_TRUE(model.Readyz().ok);
}

TEST(HealthModel, ExplainsEachServerSideReason) {
  FakeClock clock;
  HealthModel model(clock);
  model.SetListener("running", true);

  model.SetServerView(false, false, false);
  auto body = model.Readyz().body;
  EXPECT_TRUE(HasReasonContaining(body, "not registered"));
  EXPECT_EQ(body.at("reasons").size(), 1u);  // disabled/offline follow from unregistered

  model.SetServerView(true, false, false);
  body = model.Readyz().body;
  EXPECT_TRUE(HasReasonContaining(body, "disabled on the server"));
  EXPECT_TRUE(HasReasonContaining(body, "offline on the server"));
  EXPECT_FALSE(model.Readyz().ok);
}

TEST(HealthModel, RunCommandReasonsAndDeadListenerBlockReadiness) {
  FakeClock clock;
  HealthModel model(clock);
  model.SetListener("running", true);
  model.SetServerView(true, true, true);
  model.SetReasons({"draining before shutdown"});
  EXPECT_FALSE(model.Readyz().ok);
  EXPECT_TRUE(HasReasonContaining(model.Readyz().body, "draining before shutdown"));

  model.SetReasons({});
  model.SetListener("stopped", false);
  EXPECT_FALSE(model.Readyz().ok);
  EXPECT_TRUE(HasReasonContaining(model.Readyz().body, "state stopped"));
  EXPECT_EQ(model.Snapshot().listener_state, "stopped");
}

// Security review L12: a SIGSTOPped listener is alive to the supervisor but serves nothing; the
// run command's check (a /proc read per probe) makes both probes fail while it is stopped.
TEST(HealthModel, ListenerCheckFailsBothProbesWhileItReportsAProblem) {
  FakeClock clock;
  HealthModel model(clock);
  model.SetListener("running", true);
  model.SetServerView(true, true, true);
  std::string problem;
  model.SetListenerCheck([&] { return problem; });
  EXPECT_TRUE(model.Healthz().ok);
  EXPECT_TRUE(model.Readyz().ok);
  problem = "stopped (SIGSTOP)";
  EXPECT_FALSE(model.Healthz().ok);
  EXPECT_FALSE(model.Readyz().ok);
  EXPECT_EQ(model.Healthz().body.at("listener"), "stopped (SIGSTOP)");
  EXPECT_TRUE(HasReasonContaining(model.Healthz().body, "listener is not alive"));
  problem.clear();
  EXPECT_TRUE(model.Healthz().ok);
}

}  // namespace
}  // namespace agentboot::telemetry

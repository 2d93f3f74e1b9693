#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agentboot/http.h"
#include "agentboot/imds.h"
#include "agentboot/sim.h"

namespace agentboot::imds {
namespace {

using Json = nlohmann::json;

constexpr char kSimVm[] = "agentboot-sim-vm";  // the simulator's default compute.name

// One simulator for the binary (starting one generates RSA keys); each test clears the events.
class ImdsAgainstSimulator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim::SimConfig config;
    config.quiet = true;
    auto started = sim::Simulator::Start(config);
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    simulator_ = std::move(*started);
    transport_ = http::MakeCurlTransport(http::CurlOptions{});
  }
  static void TearDownTestSuite() {
    transport_.reset();
    simulator_.reset();
  }

  void SetUp() override {
    ASSERT_NE(simulator_, nullptr);
    ASSERT_EQ(Control("DELETE", "scheduled-events").status, 200);
    ASSERT_EQ(Control("POST", "instance", {{"name", kSimVm}}).status, 200);
  }

  // The IMDS base URL exactly as agentboot would derive it from the simulator's variables.
  static std::string BaseUrl() {
    const auto vars = simulator_->EnvVars();
    return vars.at("AZURE_POD_IDENTITY_AUTHORITY_HOST");
  }

  static http::Response Control(const std::string& method, const std::string& path,
                                const Json& body = nullptr) {
    http::Request request;
    request.method = method;
    request.url = JoinUrl(simulator_->EnvVars().at("AGENTBOOT_SIM_CONTROL"), path);
    if (!body.is_null()) {
      request.headers = {{"Content-Type", "application/json"}};
      request.body = body.dump();
    }
    auto response = transport_->Send(request);
    EXPECT_TRUE(response.has_value()) << response.error().ToString();
    return response ? *response : http::Response{};
  }

  static std::string Schedule(const Json& spec) {
    const http::Response response = Control("POST", "scheduled-events", spec);
    EXPECT_EQ(response.status, 200) << response.body;
    return Json::parse(response.body, nullptr, false).value("EventId", "");
  }

  ImdsClient Client() const { return ImdsClient(*transport_, BaseUrl()); }

  static const ScheduledEvent* Find(const ScheduledEventsDocument& document,
                                    const std::string& id) {
    const auto it = std::find_if(document.events.begin(), document.events.end(),
                                 [&](const ScheduledEvent& e) { return e.id == id; });
    return it == document.events.end() ? nullptr : &*it;
  }

  static std::unique_ptr<sim::Simulator> simulator_;
  static std::unique_ptr<http::Transport> transport_;
};

std::unique_ptr<sim::Simulator> ImdsAgainstSimulator::simulator_;
std::unique_ptr<http::Transport> ImdsAgainstSimulator::transport_;

TEST_F(ImdsAgainstSimulator, ReadsTheVmName) {
  auto name = Client().VmName();
  ASSERT_TRUE(name.has_value()) << name.error().ToString();
  EXPECT_EQ(*name, kSimVm);
}

TEST_F(ImdsAgainstSimulator, EventsNameTheVmThatVmNameReports) {
  ASSERT_EQ(Control("POST", "instance", {{"name", " build-07 "}}).status, 200);
  auto name = Client().VmName();
  ASSERT_TRUE(name.has_value()) << name.error().ToString();
  EXPECT_EQ(*name, "build-07");
  const std::string id = Schedule({{"EventType", "Preempt"}, {"not_before_seconds", 30}});
  auto document = Client().GetScheduledEvents();
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  const ScheduledEvent* event = Find(*document, id);
  ASSERT_NE(event, nullptr);
  EXPECT_TRUE(AppliesTo(*event, *name));
  EXPECT_TRUE(RequiresDrain(*event));
}

TEST_F(ImdsAgainstSimulator, SeesAScheduledTerminateForThisVm) {
  auto name = Client().VmName();
  ASSERT_TRUE(name.has_value()) << name.error().ToString();
  const auto before = std::chrono::system_clock::now();
  const std::string id = Schedule({{"EventType", "Terminate"}, {"not_before_seconds", 300}});
  ASSERT_FALSE(id.empty());

  auto document = Client().GetScheduledEvents();
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  const ScheduledEvent* event = Find(*document, id);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->type, "Terminate");
  EXPECT_EQ(event->status, "Scheduled");
  EXPECT_TRUE(AppliesTo(*event, *name));
  EXPECT_TRUE(RequiresDrain(*event));
  ASSERT_TRUE(event->not_before.has_value());
  // NotBefore has whole seconds: allow for that and for a slow (sanitized) run.
  EXPECT_GE(*event->not_before, before + std::chrono::seconds(299));
  EXPECT_LE(*event->not_before, std::chrono::system_clock::now() + std::chrono::seconds(301));

  ScheduledEventTracker tracker;
  const auto observation = tracker.Observe(*document, *name);
  ASSERT_EQ(observation.drain.size(), 1U);
  EXPECT_EQ(observation.drain[0].id, id);
}

TEST_F(ImdsAgainstSimulator, AcknowledgingStartsTheEvent) {
  const std::string id = Schedule({{"EventType", "Terminate"}, {"not_before_seconds", 300}});
  auto scheduled = Client().GetScheduledEvents();
  ASSERT_TRUE(scheduled.has_value()) << scheduled.error().ToString();

  const Status ack = Client().AcknowledgeEvents({id});
  ASSERT_TRUE(ack.has_value()) << ack.error().ToString();

  const http::Response control = Control("GET", "scheduled-events");
  const Json state = Json::parse(control.body, nullptr, false);
  ASSERT_TRUE(state.contains("acks")) << control.body;
  ASSERT_EQ(state["acks"].size(), 1U) << control.body;
  EXPECT_EQ(state["acks"][0]["EventId"], id);

  auto started = Client().GetScheduledEvents();
  ASSERT_TRUE(started.has_value()) << started.error().ToString();
  const ScheduledEvent* event = Find(*started, id);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->status, "Started");
  EXPECT_FALSE(event->not_before.has_value());
  EXPECT_GT(started->incarnation, scheduled->incarnation);

  // IMDS answers 200 for an event already approved (§7.2).
  EXPECT_TRUE(Client().AcknowledgeEvents({id}).has_value());
}

TEST_F(ImdsAgainstSimulator, AcknowledgingAnUnknownEventIsInvalidArgument) {
  const Status ack = Client().AcknowledgeEvents({"00000000-0000-0000-0000-000000000000"});
  ASSERT_FALSE(ack.has_value());
  EXPECT_EQ(ack.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ack.error().http_status, 400);
  EXPECT_NE(ack.error().detail.find("Unknown EventId"), std::string::npos) << ack.error().detail;
}

TEST_F(ImdsAgainstSimulator, EventsForOtherVmsDoNotApply) {
  const std::string id = Schedule(
      {{"EventType", "Preempt"}, {"Resources", Json::array({"other-vm-1", "other-vm-2"})}});
  auto document = Client().GetScheduledEvents();
  ASSERT_TRUE(document.has_value()) << document.error().ToString();
  const ScheduledEvent* event = Find(*document, id);
  ASSERT_NE(event, nullptr);
  EXPECT_FALSE(AppliesTo(*event, kSimVm));
  ScheduledEventTracker tracker;
  const auto observation = tracker.Observe(*document, kSimVm);
  EXPECT_TRUE(observation.drain.empty());
  EXPECT_TRUE(observation.notices.empty());
}

TEST_F(ImdsAgainstSimulator, NoListenerIsUnavailable) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  ImdsClient client(*transport_, "http://127.0.0.1:1");
  auto document = client.GetScheduledEvents();
  ASSERT_FALSE(document.has_value());
  EXPECT_EQ(document.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(document.error().retryable);
}

}  // namespace
}  // namespace agentboot::imds

// The config.sh sequence against the simulator: connectionData, pool by name, agent by name,
// add, replace, delete (agent-contract §1).
#include <fstream>
#include <sstream>

#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsRegistration = SimFixture;

TEST_F(SimDevOpsRegistration, ConfigureSequenceAddsReplacesAndDeletesAnAgent) {
  const std::string token = ImdsToken();
  Answer data =
      Api("GET", "/_apis/connectionData?connectOptions=1&lastChangeId=-1&lastChangeId64=-1", token);
  ASSERT_EQ(data.status, 200) << data.body;
  EXPECT_EQ(data.Json()["authenticatedUser"]["id"], OidOf("system"));
  EXPECT_EQ(data.Json()["deploymentType"], "hosted");
  EXPECT_EQ(data.Json()["locationServiceData"]["accessMappings"][0]["accessPoint"], Org());
  bool has_agents_location = false;
  const nlohmann::json definitions = data.Json()["locationServiceData"]["serviceDefinitions"];
  for (const auto& d : definitions) {
    if (d["identifier"] == "e298ef32-5878-4cab-993c-043836571f42") {
      has_agents_location = d["resourceVersion"] == 2;
    }
  }
  EXPECT_TRUE(has_agents_location);

  Answer pools =
      Api("GET", "/_apis/distributedtask/pools?poolName=default&poolType=Automation", token);
  ASSERT_EQ(pools.status, 200);
  ASSERT_EQ(pools.Json()["count"], 1);
  EXPECT_EQ(pools.Json()["value"][0]["id"], 1);
  EXPECT_EQ(pools.Json()["value"][0]["name"], "Default");

  nlohmann::json agent = RegisterAgent(token, "host-1", KeyA());
  const std::string client_id = agent["authorization"]["clientId"];
  EXPECT_EQ(agent["authorization"]["authorizationUrl"], Org() + "/_apis/oauth2/token");
  EXPECT_EQ(agent["authorization"]["publicKey"], PublicKeyJson(KeyA()));
  EXPECT_EQ(agent["status"], "offline");
  EXPECT_EQ(agent["enabled"], true);

  Answer found =
      Api("GET", "/_apis/distributedtask/pools/1/agents?agentName=host-1&includeCapabilities=False",
          token);
  ASSERT_EQ(found.Json()["count"], 1);
  EXPECT_FALSE(found.Json()["value"][0].contains("systemCapabilities"));
  const int64_t id = found.Json()["value"][0]["id"];

  Answer duplicate =
      Api("POST", "/_apis/distributedtask/pools/1/agents", token,
          {{"name", "HOST-1"}, {"authorization", {{"publicKey", PublicKeyJson(KeyA())}}}});
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.Json()["typeKey"], "TaskAgentExistsException");
  EXPECT_EQ(duplicate.Json()["eventId"], 3000);
  EXPECT_TRUE(duplicate.Header("WWW-Authenticate").empty());

  nlohmann::json replaced = found.Json()["value"][0];
  replaced["authorization"] = {{"publicKey", PublicKeyJson(KeyB())}};
  const std::string path = "/_apis/distributedtask/pools/1/agents/" + std::to_string(id);
  Answer put = Api("PUT", path, token, replaced);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["authorization"]["clientId"], client_id);
  EXPECT_EQ(put.Json()["authorization"]["publicKey"], PublicKeyJson(KeyB()));

  Answer state = Control("GET", "/_control/devops/state");
  EXPECT_EQ(state.Json()["counts"]["agents"], 1);
  EXPECT_EQ(state.Json()["agents"][0]["public_key"]["modulus"], PublicKeyJson(KeyB())["modulus"]);

  EXPECT_EQ(Api("DELETE", path, token).status, 204);
  EXPECT_EQ(Api("GET", path, token).status, 404);
  EXPECT_EQ(
      Api("GET", "/_apis/distributedtask/pools/1/agents?agentName=host-1", token).Json()["count"],
      0);
}

TEST_F(SimDevOpsRegistration, DeleteIsRefusedWhileTheAgentRunsAJob) {
  const std::string token = ImdsToken();
  const int64_t id = RegisterAgent(token, "busy", KeyA())["id"];
  Answer job = Control("POST", "/_control/devops/jobrequests", {{"pool", 1}, {"agent_id", id}});
  ASSERT_EQ(job.status, 200) << job.body;
  Answer jobs =
      Api("GET", "/_apis/distributedtask/pools/1/jobrequests?agentId=" + std::to_string(id), token);
  EXPECT_EQ(jobs.Json()["count"], 1);
  Answer refused =
      Api("DELETE", "/_apis/distributedtask/pools/1/agents/" + std::to_string(id), token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.Json()["message"].get<std::string>().find("is running a job for pool 1"),
            std::string::npos);
}

TEST_F(SimDevOpsRegistration, OptionsListsResourceLocationsForClientsWithoutServiceDefinitions) {
  Answer all = Send("OPTIONS", Org() + "/_apis/");
  ASSERT_EQ(all.status, 200);
  EXPECT_GE(all.Json()["count"].get<int>(), 7);
  Answer area = Send("OPTIONS", Org() + "/_apis/distributedtask");
  const nlohmann::json locations = area.Json()["value"];
  for (const auto& location : locations) EXPECT_EQ(location["area"], "distributedtask");
  Answer areas = Send("OPTIONS", Org() + "/_apis/Location");
  ASSERT_EQ(areas.Json()["count"], 1);
  EXPECT_EQ(areas.Json()["value"][0]["id"], "e81700f7-3be2-46de-8624-2eb35882fcaa");
  Answer resource_areas =
      Send("GET", Org() + "/_apis/ResourceAreas/a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd");
  EXPECT_EQ(resource_areas.status, 200);
  EXPECT_TRUE(resource_areas.Json()["value"].is_null());
}

TEST_F(SimDevOpsRegistration, StateFileHoldsTheRegisteredAgent) {
  RegisterAgent(ImdsToken(), "persisted", KeyA());
  // Saves are coalesced (written 100 ms after a change); stopping writes what is pending.
  sim_->Stop();
  std::ifstream in(temp_dir_ + "/devops.json");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json state = nlohmann::json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(state.is_object());
  EXPECT_EQ(state["agents"][0]["name"], "persisted");
}

}  // namespace
}  // namespace agentboot::simdevops_test

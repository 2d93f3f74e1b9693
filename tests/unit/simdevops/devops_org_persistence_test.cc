#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

#include "devops_org.h"

namespace agentboot::sim::detail {
namespace {

constexpr const char* kStateFile = "/state/devops.json";

TEST(DevOpsOrgPersistence, EveryMutationIsWrittenAndReloads) {
  testing::FakeEnv env;
  DevOpsOrg first(env.fs, env.random, kStateFile, env.clock.Now());
  AgentRecord draft;
  draft.pool_id = 3;
  draft.name = "saved";
  draft.public_key_modulus = "bW9k";
  Result<AgentRecord> agent =
      first.AddAgent(draft, env.clock.Now(), [](const std::string&) { return "u"; });
  ASSERT_TRUE(agent);
  first.SetMember("outsider", false);
  first.AddPat("pat-value", "oid-7");
  ASSERT_TRUE(first.AddPool("extra", false, env.clock.Now()));
  ASSERT_TRUE(env.fs.Exists(kStateFile));
  EXPECT_EQ(env.fs.ModeOf(kStateFile), 0600u);
  EXPECT_EQ(env.fs.ReadFile(kStateFile)->find("pat-value"), std::string::npos);

  DevOpsOrg second(env.fs, env.random, kStateFile, env.clock.Now());
  ASSERT_TRUE(second.Load());
  std::optional<AgentRecord> reloaded = second.FindAgentByName(3, "saved");
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->client_id, agent->client_id);
  EXPECT_EQ(reloaded->public_key_modulus, "bW9k");
  EXPECT_FALSE(second.IsMember("outsider", true));
  EXPECT_EQ(second.PatIdentity("pat-value"), "oid-7");
  EXPECT_TRUE(second.FindPoolByName("extra"));
  // Ids continue after the reloaded ones.
  draft.name = "next";
  EXPECT_EQ(second.AddAgent(draft, env.clock.Now(), [](const std::string&) { return "u"; })->id,
            agent->id + 1);
}

TEST(DevOpsOrgPersistence, MissingFileLoadsNothingAndCorruptFileIsAnError) {
  testing::FakeEnv env;
  DevOpsOrg org(env.fs, env.random, kStateFile, env.clock.Now());
  EXPECT_TRUE(org.Load());
  EXPECT_EQ(org.Pools().size(), 3u);
  env.fs.Put(kStateFile, "{not json");
  Status loaded = org.Load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(org.Pools().size(), 3u);
}

TEST(DevOpsOrgPersistence, WriteFailureIsRememberedAndStateStaysInMemory) {
  testing::FakeEnv env;
  env.fs.FailWritesUnder("/state");
  DevOpsOrg org(env.fs, env.random, kStateFile, env.clock.Now());
  org.SetMember("x", true);
  EXPECT_TRUE(org.last_save_error().has_value());
  EXPECT_TRUE(org.IsMember("x", false));
}

TEST(DevOpsOrgPersistence, StateJsonHasCountsAndPublicKeys) {
  testing::FakeEnv env;
  DevOpsOrg org(env.fs, env.random, "", env.clock.Now());
  AgentRecord draft;
  draft.pool_id = 1;
  draft.name = "k";
  draft.public_key_exponent = "AQAB";
  draft.public_key_modulus = "bW9k";
  ASSERT_TRUE(org.AddAgent(draft, env.clock.Now(), [](const std::string&) { return "u"; }));
  nlohmann::json state = org.ToJson();
  EXPECT_EQ(state["counts"]["agents"], 1);
  EXPECT_EQ(state["counts"]["pools"], 3);
  EXPECT_EQ(state["agents"][0]["public_key"]["modulus"], "bW9k");
  EXPECT_EQ(state["pools"][0]["size"], 1);
}

}  // namespace
}  // namespace agentboot::sim::detail

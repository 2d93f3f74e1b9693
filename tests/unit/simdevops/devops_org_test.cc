#include "devops_org.h"

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"

namespace agentboot::sim::detail {
namespace {

class DevOpsOrgTest : public ::testing::Test {
 protected:
  testing::FakeEnv env_;
  DevOpsOrg org_{env_.fs, env_.random, "", FromUnixSeconds(1'800'000'000)};

  AgentRecord Draft(std::string name, int64_t pool = 1) {
    AgentRecord draft;
    draft.pool_id = pool;
    draft.name = std::move(name);
    draft.public_key_exponent = "AQAB";
    draft.public_key_modulus = "bW9kdWx1cw==";
    return draft;
  }
  AgentRecord Add(std::string name, int64_t pool = 1) {
    Result<AgentRecord> added = org_.AddAgent(Draft(std::move(name), pool), env_.clock.Now(),
                                              [](const std::string& id) { return "url/" + id; });
    EXPECT_TRUE(added.has_value());
    return added.value_or(AgentRecord{});
  }
};

TEST_F(DevOpsOrgTest, SeedsDefaultPools) {
  ASSERT_TRUE(org_.FindPoolByName("default"));
  EXPECT_EQ(org_.FindPoolByName("default")->id, 1);
  EXPECT_TRUE(org_.FindPool(2)->is_hosted);
  EXPECT_EQ(org_.FindPoolByName("LINUX")->id, 3);
}

TEST_F(DevOpsOrgTest, AddAgentAssignsIdClientIdAndAuthorizationUrl) {
  AgentRecord first = Add("a1");
  AgentRecord second = Add("a2");
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(first.client_id.size(), 36u);
  EXPECT_NE(first.client_id, second.client_id);
  EXPECT_EQ(first.authorization_url, "url/" + first.client_id);
  EXPECT_EQ(first.status, "offline");
  EXPECT_EQ(org_.FindAgentByClientId(second.client_id)->name, "a2");
}

TEST_F(DevOpsOrgTest, RefusesDuplicateNameCaseInsensitivelyButAllowsItInAnotherPool) {
  Add("Builder");
  Result<AgentRecord> again =
      org_.AddAgent(Draft("builder"), env_.clock.Now(), [](const std::string&) { return "u"; });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().detail.find("already contains an agent with name"), std::string::npos);
  EXPECT_TRUE(
      org_.AddAgent(Draft("builder", 3), env_.clock.Now(), [](const std::string&) { return "u"; }));
}

TEST_F(DevOpsOrgTest, AddAgentToMissingPoolIsNotFound) {
  Result<AgentRecord> added =
      org_.AddAgent(Draft("x", 99), env_.clock.Now(), [](const std::string&) { return "u"; });
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kNotFound);
}

TEST_F(DevOpsOrgTest, UpdateReplacesKeyButKeepsClientIdAndAuthorizationUrl) {
  AgentRecord agent = Add("a1");
  Result<AgentRecord> updated = org_.UpdateAgent(1, agent.id, [](AgentRecord& a) {
    a.public_key_modulus = "bmV3";
    a.client_id = "attacker";
    a.authorization_url = "elsewhere";
  });
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->public_key_modulus, "bmV3");
  EXPECT_EQ(updated->client_id, agent.client_id);
  EXPECT_EQ(updated->authorization_url, agent.authorization_url);
  EXPECT_EQ(org_.FindAgent(1, agent.id)->public_key_modulus, "bmV3");
}

TEST_F(DevOpsOrgTest, RenameOntoExistingNameIsRefused) {
  Add("a1");
  AgentRecord second = Add("a2");
  Result<AgentRecord> renamed =
      org_.UpdateAgent(1, second.id, [](AgentRecord& a) { a.name = "A1"; });
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(DevOpsOrgTest, DeleteIsRefusedWhileAJobRunsAndAllowedAfterItFinished) {
  AgentRecord agent = Add("busy");
  JobRequestRecord job;
  job.pool_id = 1;
  job.agent_id = agent.id;
  job.assign_time = env_.clock.Now();
  ASSERT_TRUE(org_.AddJobRequest(job));
  Status refused = org_.DeleteAgent(1, agent.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().detail,
            "Agent busy is running a job for pool 1. Please wait for the job to complete.");

  AgentRecord idle = Add("idle");
  JobRequestRecord done = job;
  done.agent_id = idle.id;
  done.finish_time = env_.clock.Now();
  done.result = "succeeded";
  ASSERT_TRUE(org_.AddJobRequest(done));
  EXPECT_TRUE(org_.DeleteAgent(1, idle.id));
  EXPECT_FALSE(org_.FindAgent(1, idle.id));
  EXPECT_EQ(org_.JobRequests(1, agent.id).size(), 1u);
}

TEST_F(DevOpsOrgTest, KnownIdentitiesAreMembersAndAdminsOfSelfHostedPoolsByDefault) {
  EXPECT_TRUE(org_.IsMember("oid-1", true));
  EXPECT_FALSE(org_.IsMember("stranger", false));
  EXPECT_TRUE(org_.IsPoolAdmin(1, "oid-1", true));
  EXPECT_FALSE(org_.IsPoolAdmin(2, "oid-1", true));  // the hosted pool
  org_.SetPoolAdmin(1, "OID-1", false);
  EXPECT_FALSE(org_.IsPoolAdmin(1, "oid-1", true));
  EXPECT_TRUE(org_.IsPoolAdmin(3, "oid-1", true));
  org_.SetMember("oid-1", false);
  EXPECT_FALSE(org_.IsMember("oid-1", true));
  EXPECT_FALSE(org_.IsPoolAdmin(3, "oid-1", true));
  org_.SetMember("stranger", true);
  EXPECT_TRUE(org_.IsMember("stranger", false));
}

TEST_F(DevOpsOrgTest, PatMapsToItsIdentity) {
  org_.AddPat("secret-pat", "oid-9");
  EXPECT_EQ(org_.PatIdentity("secret-pat"), "oid-9");
  EXPECT_FALSE(org_.PatIdentity("other"));
}

TEST_F(DevOpsOrgTest, PackagesAreNewestFirstAndFilteredByPlatform) {
  org_.AddPackage(PackageRecord{"agent", "linux-x64", "4.9.0", "a.tar.gz", "/a", "h", {}});
  org_.AddPackage(PackageRecord{"agent", "linux-x64", "4.10.1", "b.tar.gz", "/b", "h", {}});
  org_.AddPackage(PackageRecord{"agent", "osx-arm64", "4.11.0", "c.tar.gz", "/c", "h", {}});
  std::vector<PackageRecord> linux_packages = org_.Packages("agent", "linux-x64");
  ASSERT_EQ(linux_packages.size(), 2u);
  EXPECT_EQ(linux_packages[0].version, "4.10.1");
  EXPECT_EQ(org_.Packages("agent", "").size(), 3u);
  EXPECT_EQ(org_.FindPackageByFilename("c.tar.gz")->platform, "osx-arm64");
}

TEST(PackageVersion, ParsesDottedTriples) {
  EXPECT_EQ(ParsePackageVersion("4.260.0"), (std::array<int64_t, 3>{4, 260, 0}));
  EXPECT_EQ(ParsePackageVersion("4"), (std::array<int64_t, 3>{4, 0, 0}));
  EXPECT_FALSE(ParsePackageVersion("4.x"));
  EXPECT_FALSE(ParsePackageVersion("1.2.3.4"));
}

}  // namespace
}  // namespace agentboot::sim::detail

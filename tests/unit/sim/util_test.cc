#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace agentboot::sim::detail {
namespace {

TEST(NormalizeResource, AcceptsEveryAzureDevOpsForm) {
  EXPECT_EQ(NormalizeResource("499b84ac-1321-427f-aa17-267ca6975798"), kAzureDevOpsResource);
  EXPECT_EQ(NormalizeResource("499b84ac-1321-427f-aa17-267ca6975798/.default"),
            kAzureDevOpsResource);
  EXPECT_EQ(NormalizeResource("https://app.vssps.visualstudio.com/"), kAzureDevOpsResource);
  EXPECT_EQ(NormalizeResource("https://management.azure.com/"), "https://management.azure.com/");
}

TEST(Formats, AppService2017UsesTwelveHourClockWithOffset) {
  // 2027-01-15T17:18:31Z
  EXPECT_EQ(FormatAppService2017(FromUnixSeconds(1'800'033'511)), "1/15/2027 5:18:31 PM +00:00");
  EXPECT_EQ(FormatAppService2017(FromUnixSeconds(1'799'971'200)), "1/15/2027 12:00:00 AM +00:00");
}

TEST(Formats, Rfc1123InGmt) {
  EXPECT_EQ(FormatRfc1123(FromUnixSeconds(1'800'033'511)), "Fri, 15 Jan 2027 17:18:31 GMT");
}

TEST(SimContext, IssuedTokensVerifyForTheirAudienceOnly) {
  auto context = testing::MakeContext();
  const auto identity = context->FindManagedIdentity("", "", "");
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->object_id, kSystemAssignedObjectId);
  const std::string token = context->IssueAccessToken(
      *identity, "499b84ac-1321-427f-aa17-267ca6975798/.default", std::chrono::seconds(3599));
  const auto claims = context->VerifyAccessToken(token, kAzureDevOpsResource);
  ASSERT_TRUE(claims);
  EXPECT_EQ((*claims)["oid"], kSystemAssignedObjectId);
  EXPECT_EQ((*claims)["appid"], kSystemAssignedClientId);
  EXPECT_EQ((*claims)["idtyp"], "app");
  EXPECT_EQ((*claims)["iss"], "https://sts.windows.net/" + context->config().tenant_id + "/");
  EXPECT_FALSE(context->VerifyAccessToken(token, "https://management.azure.com/"));
}

TEST(SimContext, ManagedIdentitySelectorsFindTheUserAssignedIdentity) {
  auto context = testing::MakeContext();
  EXPECT_EQ(context->FindManagedIdentity(std::string(kUserAssignedClientId), "", "")->object_id,
            kUserAssignedObjectId);
  EXPECT_EQ(context->FindManagedIdentity("", std::string(kUserAssignedObjectId), "")->client_id,
            kUserAssignedClientId);
  EXPECT_FALSE(context->FindManagedIdentity("no-such-client", "", ""));
  // The workload app is not a managed identity of the VM.
  EXPECT_FALSE(context->FindManagedIdentity(std::string(kWorkloadClientId), "", ""));
}

TEST(ImdsState, AcknowledgingAnEventStartsItAndBumpsTheIncarnation) {
  ImdsState state;
  const TimePoint now = FromUnixSeconds(1'800'000'000);
  const std::string id = state.AddEvent({{"EventType", "Freeze"}}, now);
  const auto before = state.EventsDocument();
  EXPECT_EQ(before["Events"][0]["EventStatus"], "Scheduled");
  EXPECT_FALSE(state.StartEvents({"unknown"}, now));
  EXPECT_TRUE(state.StartEvents({id}, now));
  const auto after = state.EventsDocument();
  EXPECT_EQ(after["Events"][0]["EventStatus"], "Started");
  EXPECT_EQ(after["Events"][0]["NotBefore"], "");
  EXPECT_GT(after["DocumentIncarnation"].get<int64_t>(),
            before["DocumentIncarnation"].get<int64_t>());
  EXPECT_EQ(state.Acks().size(), 1u);
}

}  // namespace
}  // namespace agentboot::sim::detail

// security-review M6: a bearer token goes only over https, or to loopback (the simulator).
#include <gtest/gtest.h>

#include "agentboot/devops.h"

namespace agentboot::devops {
namespace {

TEST(OrganizationUrl, HttpsIsAccepted) {
  EXPECT_TRUE(CheckOrganizationUrl("https://dev.azure.com/org"));
  EXPECT_TRUE(CheckOrganizationUrl("HTTPS://dev.azure.com/org/"));
  EXPECT_TRUE(CheckOrganizationUrl("https://tfs.example.com:8443/tfs/Collection"));
}

TEST(OrganizationUrl, PlainHttpIsRefusedUnlessLoopback) {
  auto refused = CheckOrganizationUrl("http://dev.azure.com/org");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().detail.find("clear"), std::string::npos);
  EXPECT_NE(refused.error().advice.find("--allow-insecure-url"), std::string::npos);
  EXPECT_FALSE(CheckOrganizationUrl("http://10.0.0.5:8080/org"));
  EXPECT_FALSE(CheckOrganizationUrl("http://127.0.0.1.evil.example/org"));
  EXPECT_FALSE(CheckOrganizationUrl("http://localhost.evil.example/org"));
  EXPECT_FALSE(CheckOrganizationUrl("http://127.0.0.1@evil.example/org"));
  EXPECT_TRUE(CheckOrganizationUrl("http://127.0.0.1:4711/org"));
  EXPECT_TRUE(CheckOrganizationUrl("http://127.8.9.10/org"));
  EXPECT_TRUE(CheckOrganizationUrl("http://localhost:4711"));
  EXPECT_TRUE(CheckOrganizationUrl("http://[::1]:4711/org"));
  EXPECT_TRUE(CheckOrganizationUrl("http://user@127.0.0.1:4711/org"));
}

TEST(OrganizationUrl, OtherSchemesAndGarbageAreRefused) {
  EXPECT_FALSE(CheckOrganizationUrl("ftp://dev.azure.com/org"));
  EXPECT_FALSE(CheckOrganizationUrl("file:///etc/passwd"));
  EXPECT_FALSE(CheckOrganizationUrl("dev.azure.com/org"));
  EXPECT_FALSE(CheckOrganizationUrl("https://"));
}

}  // namespace
}  // namespace agentboot::devops

// Agent packages registered through the control API and downloaded anonymously (§6).
#include <fstream>

#include "sim_fixture.h"

namespace agentboot::simdevops_test {
namespace {

using SimDevOpsPackages = SimFixture;

TEST_F(SimDevOpsPackages, NewestPackageIsListedWithItsHashAndDownloads) {
  const std::string old_path = temp_dir_ + "/old.tar.gz";
  const std::string new_path = temp_dir_ + "/new.tar.gz";
  std::ofstream(old_path) << "old archive";
  std::ofstream(new_path) << "new archive bytes";
  ASSERT_EQ(Control("POST", "/_control/devops/packages",
                    {{"version", "4.259.0"}, {"platform", "linux-x64"}, {"path", old_path}})
                .status,
            200);
  ASSERT_EQ(Control("POST", "/_control/devops/packages",
                    {{"version", "4.260.0"}, {"platform", "linux-x64"}, {"path", new_path}})
                .status,
            200);
  const std::string token = ImdsToken();
  Answer list = Api("GET", "/_apis/distributedtask/packages/agent/linux-x64?$top=1", token);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.Json()["count"], 1);
  nlohmann::json package = list.Json()["value"][0];
  EXPECT_EQ(package["version"], (nlohmann::json{{"major", 4}, {"minor", 260}, {"patch", 0}}));
  EXPECT_EQ(package["filename"], "vsts-agent-linux-x64-4.260.0.tar.gz");
  EXPECT_EQ(package["hashValue"], jose::Sha256Hex("new archive bytes"));
  EXPECT_EQ(
      Api("GET", "/_apis/distributedtask/packages/agent?platform=linux-x64", token).Json()["count"],
      2);
  Answer exact = Api("GET", "/_apis/distributedtask/packages/agent/linux-x64/4.259.0", token);
  EXPECT_EQ(exact.Json()["hashValue"], jose::Sha256Hex("old archive"));
  Answer download = Send("GET", package["downloadUrl"]);
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, "new archive bytes");
}

}  // namespace
}  // namespace agentboot::simdevops_test

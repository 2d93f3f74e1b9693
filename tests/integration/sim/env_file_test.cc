#include <filesystem>

#include <gtest/gtest.h>

#include "agentboot/base.h"

#include "sim_client.h"

namespace agentboot::sim::testing {
namespace {

TEST(SimEnvVars, ExportsEveryFlavourWithoutClashingSdkVariables) {
  const auto vars = SharedSimulator().EnvVars();
  for (const char* key : {"AZURE_POD_IDENTITY_AUTHORITY_HOST",
                          "AZP_URL",
                          "AGENTBOOT_SIM_AZP_URL_TLS",
                          "AGENTBOOT_SIM_CA_FILE",
                          "AGENTBOOT_SIM_CONTROL",
                          "AGENTBOOT_SIM_HTTP",
                          "AGENTBOOT_SIM_HTTPS",
                          "AGENTBOOT_SIM_STATE_DIR",
                          "AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT",
                          "AGENTBOOT_SIM_APPSERVICE_IDENTITY_HEADER",
                          "AGENTBOOT_SIM_APPSERVICE2017_MSI_ENDPOINT",
                          "AGENTBOOT_SIM_APPSERVICE2017_MSI_SECRET",
                          "AGENTBOOT_SIM_CLOUDSHELL_MSI_ENDPOINT",
                          "AGENTBOOT_SIM_ARC_IDENTITY_ENDPOINT",
                          "AGENTBOOT_SIM_ARC_IMDS_ENDPOINT",
                          "AGENTBOOT_SIM_ARC_KEY_DIR",
                          "AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST",
                          "AGENTBOOT_SIM_WORKLOAD_TENANT_ID",
                          "AGENTBOOT_SIM_WORKLOAD_CLIENT_ID",
                          "AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE",
                          "AGENTBOOT_SIM_USER_ASSIGNED_CLIENT_ID",
                          "AGENTBOOT_SIM_USER_ASSIGNED_OBJECT_ID",
                          "AGENTBOOT_SIM_USER_ASSIGNED_RESOURCE_ID"}) {
    EXPECT_TRUE(vars.count(key)) << key;
  }
  // Un-prefixed SDK detection variables would make every SDK pick App Service, Cloud Shell or a
  // user-assigned identity at once.
  for (const char* key : {"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
                          "IMDS_ENDPOINT", "AZURE_CLIENT_ID", "AZURE_FEDERATED_TOKEN_FILE"}) {
    EXPECT_FALSE(vars.count(key)) << key;
  }
  EXPECT_TRUE(EndsWith(vars.at("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST"), "/"));
  EXPECT_TRUE(std::filesystem::exists(vars.at("AGENTBOOT_SIM_CA_FILE")));
}

TEST(SimEnvVars, WriteEnvFileQuotesForAShellAndIsPrivate) {
  const std::string path = Env("AGENTBOOT_SIM_STATE_DIR") + "/sim.env";
  ASSERT_TRUE(WriteEnvFile(path, {{"A", "plain-value/1:2"}, {"B", "it's spaced"}}));
  const auto content = PosixFileSystem().ReadFile(path);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, "A=plain-value/1:2\nB='it'\\''s spaced'\n");
  EXPECT_EQ(PosixFileSystem().Stat(path)->mode & 0777u, 0600u);
}

TEST(SimEnvVars, ControlHealthAnswersOnceStartReturned) {
  const Reply reply = Send("GET", Env("AGENTBOOT_SIM_CONTROL") + "/health");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Json()["status"], "ok");
  // HTTPS serves too, with the generated CA.
  const Reply tls = Send("GET", Env("AGENTBOOT_SIM_HTTPS") + "/_control/health", {}, {},
                         Env("AGENTBOOT_SIM_CA_FILE"));
  EXPECT_EQ(tls.status, 200);
}

TEST(SimEnvVars, TlsWithoutTheCaIsRejected) {
  // No trust anchors at all: the handshake must fail.
  EXPECT_ANY_THROW(Send("GET", Env("AGENTBOOT_SIM_HTTPS") + "/_control/health", {}, {}, ""));
}

TEST(SimListen, RefusesAPortAnotherListenerHolds) {
  const std::string base = SharedSimulator().HttpBaseUrl();
  SimConfig config;
  config.quiet = true;
  config.http_port = static_cast<uint16_t>(std::stoi(base.substr(base.rfind(':') + 1)));
  auto started = Simulator::Start(config);
  ASSERT_FALSE(started.has_value()) << "a second simulator shares port " << config.http_port;
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().advice.find("--http-port"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::sim::testing

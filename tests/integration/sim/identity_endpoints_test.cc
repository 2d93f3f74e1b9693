#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/jose.h"

#include "sim_client.h"

namespace agentboot::sim::testing {
namespace {

constexpr char kDevOps[] = "499b84ac-1321-427f-aa17-267ca6975798";

nlohmann::json ClaimsOf(const std::string& token) {
  auto jwt = jose::DecodeJwt(token);
  return jwt ? jwt->claims : nlohmann::json();
}

std::string ImdsUrl(const std::string& query) {
  return Env("AZURE_POD_IDENTITY_AUTHORITY_HOST") + "/metadata/identity/oauth2/token/?" + query;
}

TEST(SimImds, IssuesASystemAssignedTokenWithStringFields) {
  const Reply reply =
      Send("GET", ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps),
           {{"Metadata", "true"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers.at("server"), "IMDS/150.870.65.1854");
  const auto body = reply.Json();
  EXPECT_EQ(body["expires_in"], "86399");
  EXPECT_TRUE(body["expires_on"].is_string());
  EXPECT_TRUE(body["not_before"].is_string());
  EXPECT_EQ(body["refresh_token"], "");
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["resource"], kDevOps);
  const auto claims = ClaimsOf(body["access_token"].get<std::string>());
  EXPECT_EQ(claims["aud"], kDevOps);
  EXPECT_EQ(claims["oid"], kSystemAssignedObjectId);
}

TEST(SimImds, SelectsTheUserAssignedIdentityByClientId) {
  const Reply reply = Send("GET",
                           ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps +
                                   "&client_id=" + std::string(kUserAssignedClientId)),
                           {{"Metadata", "true"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(ClaimsOf(reply.Json()["access_token"])["oid"], kUserAssignedObjectId);
}

TEST(SimImds, RejectsRequestsWithoutTheMetadataHeader) {
  const Reply reply =
      Send("GET", ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"], "bad_request_102");
  EXPECT_EQ(reply.Json()["error_description"], "Required metadata header not specified");
}

TEST(SimImds, RejectsMissingApiVersionAndProxiedRequests) {
  EXPECT_EQ(Send("GET", ImdsUrl(std::string("resource=") + kDevOps), {{"Metadata", "true"}}).status,
            400);
  EXPECT_EQ(Send("GET", ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps),
                 {{"Metadata", "true"}, {"X-Forwarded-For", "10.0.0.1"}})
                .status,
            400);
}

TEST(SimImds, UnknownUserAssignedIdentityIsNotFound) {
  const Reply reply = Send(
      "GET", ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps + "&client_id=nope"),
      {{"Metadata", "true"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error"], "invalid_request");
  EXPECT_EQ(reply.Json()["error_description"], "Identity not found");
}

TEST(SimImds, InstanceMetadataHasStringComputeFields) {
  const Reply reply =
      Send("GET", Env("AGENTBOOT_SIM_HTTP") + "/metadata/instance?api-version=2021-02-01",
           {{"Metadata", "true"}});
  ASSERT_EQ(reply.status, 200);
  const auto compute = reply.Json()["compute"];
  EXPECT_TRUE(compute["name"].is_string());
  EXPECT_TRUE(compute["vmId"].is_string());
  EXPECT_TRUE(compute["vmScaleSetName"].is_string());
}

TEST(SimAppService, RequiresTheIdentityHeaderSecret) {
  const std::string url = Env("AGENTBOOT_SIM_APPSERVICE_IDENTITY_ENDPOINT") +
                          "?api-version=2019-08-01&resource=" + kDevOps;
  EXPECT_EQ(Send("GET", url, {{"X-IDENTITY-HEADER", "wrong"}}).status, 401);
  const Reply reply =
      Send("GET", url, {{"X-IDENTITY-HEADER", Env("AGENTBOOT_SIM_APPSERVICE_IDENTITY_HEADER")}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = reply.Json();
  EXPECT_TRUE(body["expires_on"].is_string());
  EXPECT_FALSE(body.contains("expires_in"));
  EXPECT_EQ(body["client_id"], kSystemAssignedClientId);
}

TEST(SimAppService, Legacy2017UsesTheSecretHeaderAndADateString) {
  const Reply reply = Send("GET",
                           Env("AGENTBOOT_SIM_APPSERVICE2017_MSI_ENDPOINT") +
                               "?api-version=2017-09-01&resource=" + kDevOps,
                           {{"secret", Env("AGENTBOOT_SIM_APPSERVICE2017_MSI_SECRET")}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  const std::string expires_on = reply.Json()["expires_on"];
  EXPECT_TRUE(EndsWith(expires_on, " +00:00")) << expires_on;
}

TEST(SimArc, ChallengesWithAKeyFileThenAcceptsItsContents) {
  const std::string url =
      Env("AGENTBOOT_SIM_ARC_IDENTITY_ENDPOINT") + "?api-version=2020-06-01&resource=" + kDevOps;
  const Reply challenge = Send("GET", url, {{"Metadata", "true"}});
  ASSERT_EQ(challenge.status, 401);
  const std::string header = challenge.headers.at("www-authenticate");
  ASSERT_TRUE(StartsWith(header, "Basic realm="));
  const std::string path = header.substr(12);
  EXPECT_TRUE(StartsWith(path, Env("AGENTBOOT_SIM_ARC_KEY_DIR") + "/"));
  EXPECT_TRUE(EndsWith(path, ".key"));
  const auto info = PosixFileSystem().Stat(path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->mode & 0777u, 0600u);
  const auto key = PosixFileSystem().ReadFile(path);
  ASSERT_TRUE(key);

  EXPECT_EQ(Send("GET", url, {{"Metadata", "true"}, {"Authorization", "Basic wrong"}}).status, 401);
  const Reply reply = Send("GET", url, {{"Metadata", "true"}, {"Authorization", "Basic " + *key}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["expires_in"], "86399");
}

TEST(SimCloudShell, IssuesATokenForAFormPost) {
  const std::string url = Env("AGENTBOOT_SIM_CLOUDSHELL_MSI_ENDPOINT");
  const Headers form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  const Reply missing = Send("POST", url, form, std::string("resource=") + kDevOps);
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.Json()["error"]["code"].is_string());
  Headers with_metadata = form;
  with_metadata.emplace_back("Metadata", "true");
  const Reply reply = Send("POST", url, with_metadata, std::string("resource=") + kDevOps);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(reply.Json()["expires_in"].is_string());
  EXPECT_TRUE(reply.Json()["expires_on"].is_string());
  EXPECT_EQ(ClaimsOf(reply.Json()["access_token"])["aud"], kDevOps);
}

TEST(SimControl, FaultsAnswerTokenRequestsAndAreLogged) {
  const std::string control = Env("AGENTBOOT_SIM_CONTROL");
  ASSERT_EQ(
      Send("POST", control + "/faults", {},
           R"({"path_prefix":"/metadata/identity","statuses":[503],"headers":{"Retry-After":"1"}})")
          .status,
      200);
  const Reply faulted =
      Send("GET", ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps),
           {{"Metadata", "true"}});
  EXPECT_EQ(faulted.status, 503);
  EXPECT_EQ(faulted.headers.at("retry-after"), "1");
  const Reply log = Send("GET", control + "/requests?path_prefix=/metadata/identity");
  ASSERT_EQ(log.status, 200);
  EXPECT_GE(log.Json()["count"].get<int>(), 1);
  EXPECT_TRUE(log.Json()["count_by_path"].contains("/metadata/identity/oauth2/token/"));
}

TEST(SimImds, OverItsPerVmLimitsImdsAnswers429) {
  const std::string control = Env("AGENTBOOT_SIM_CONTROL");
  ASSERT_EQ(Send("GET", control + "/imds-limits").Json()["enabled"], false);
  ASSERT_EQ(Send("POST", control + "/imds-limits", {},
                 R"({"enabled":true,"identity_per_second":2,"per_second":1})")
                .status,
            200);
  const std::string token = ImdsUrl(std::string("api-version=2018-02-01&resource=") + kDevOps);
  EXPECT_EQ(Send("GET", token, {{"Metadata", "true"}}).status, 200);
  EXPECT_EQ(Send("GET", token, {{"Metadata", "true"}}).status, 200);
  const Reply refused = Send("GET", token, {{"Metadata", "true"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.headers.at("server"), "IMDS/150.870.65.1854");
  const std::string instance =
      Env("AGENTBOOT_SIM_HTTP") + "/metadata/instance?api-version=2021-02-01";
  EXPECT_EQ(Send("GET", instance, {{"Metadata", "true"}}).status, 200);
  EXPECT_EQ(Send("GET", instance, {{"Metadata", "true"}}).status, 429);
  const auto counters = Send("GET", control + "/imds-limits").Json();
  EXPECT_EQ(counters["identity"]["admitted"], 2);
  EXPECT_EQ(counters["identity"]["refused_rate"], 1);
  EXPECT_EQ(counters["other"]["refused_rate"], 1);
  EXPECT_EQ(Send("POST", control + "/imds-limits", {}, R"({"identity_per_second":0})").status, 400);
}

}  // namespace
}  // namespace agentboot::sim::testing

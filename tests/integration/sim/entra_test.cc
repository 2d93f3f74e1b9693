#include <gtest/gtest.h>

#include "agentboot/base.h"
#include "agentboot/jose.h"

#include "sim_client.h"

namespace agentboot::sim::testing {
namespace {

Reply Exchange(const std::string& assertion, const std::string& client_id) {
  const std::string url = Env("AGENTBOOT_SIM_WORKLOAD_AUTHORITY_HOST") +
                          Env("AGENTBOOT_SIM_WORKLOAD_TENANT_ID") +
                          "/oauth2/v2.0/token?client-request-id=abc";
  const std::string body =
      "client_id=" + UrlEncode(client_id) +
      "&scope=" + UrlEncode("499b84ac-1321-427f-aa17-267ca6975798/.default") +
      "&grant_type=client_credentials&x-client-SKU=msal.js.node&client_assertion=" +
      UrlEncode(assertion) + "&client_assertion_type=" +
      UrlEncode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  return Send("POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}}, body,
              Env("AGENTBOOT_SIM_CA_FILE"));
}

std::string MintToken(const std::string& request_json) {
  const Reply minted =
      Send("POST", Env("AGENTBOOT_SIM_CONTROL") + "/workload-token", {}, request_json);
  EXPECT_EQ(minted.status, 200) << minted.body;
  auto content = PosixFileSystem().ReadFile(minted.Json()["path"].get<std::string>());
  return content ? *content : std::string();
}

TEST(SimEntra, ExchangesTheInitialWorkloadTokenForAnAccessToken) {
  const auto assertion =
      PosixFileSystem().ReadFile(Env("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE"));
  ASSERT_TRUE(assertion);
  const Reply reply = Exchange(*assertion, Env("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = reply.Json();
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 3599);
  EXPECT_EQ(body["ext_expires_in"], 3599);
  const auto jwt = jose::DecodeJwt(body["access_token"].get<std::string>());
  ASSERT_TRUE(jwt);
  EXPECT_EQ(jwt->claims["aud"], "499b84ac-1321-427f-aa17-267ca6975798");
  EXPECT_EQ(jwt->claims["oid"], kWorkloadObjectId);
  // Entra fetched the issuer's discovery document and JWKS over HTTPS.
  const Reply log = Send("GET", Env("AGENTBOOT_SIM_CONTROL") + "/requests?path_prefix=/oidc/");
  EXPECT_TRUE(log.Json()["count_by_path"].contains("/oidc/openid/v1/jwks"));
}

TEST(SimEntra, WrongSubjectIs700213InEntrasErrorShape) {
  const std::string path = Env("AGENTBOOT_SIM_STATE_DIR") + "/wrong-subject-token";
  const std::string assertion = MintToken(
      R"({"subject":"system:serviceaccount:agents:someone-else","path":")" + path + R"("})");
  const Reply reply = Exchange(assertion, Env("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID"));
  EXPECT_EQ(reply.status, 400);
  const auto body = reply.Json();
  EXPECT_EQ(body["error"], "invalid_request");
  EXPECT_EQ(body["error_codes"], nlohmann::json::array({700213}));
  const std::string description = body["error_description"];
  EXPECT_TRUE(StartsWith(description, "AADSTS700213: ")) << description;
  EXPECT_NE(description.find("\r\nTrace ID: "), std::string::npos);
  EXPECT_NE(description.find("\r\nCorrelation ID: "), std::string::npos);
  EXPECT_TRUE(body["trace_id"].is_string());
  EXPECT_EQ(body["error_uri"], "https://login.microsoftonline.com/error?code=700213");
}

TEST(SimEntra, UnknownClientIs700016) {
  const auto assertion =
      PosixFileSystem().ReadFile(Env("AGENTBOOT_SIM_WORKLOAD_FEDERATED_TOKEN_FILE"));
  ASSERT_TRUE(assertion);
  const Reply reply = Exchange(*assertion, "99999999-0000-4000-8000-000000000009");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Json()["error_codes"], nlohmann::json::array({700016}));
}

TEST(SimEntra, ForgedSignatureIs700027) {
  const auto key = jose::RsaKey::Generate(2048);
  ASSERT_TRUE(key);
  const int64_t now = ToUnixSeconds(std::chrono::system_clock::now());
  const nlohmann::json claims = {{"iss", Env("AGENTBOOT_SIM_OIDC_ISSUER")},
                                 {"sub", std::string(kWorkloadSubject)},
                                 {"aud", {std::string(kWorkloadAudience)}},
                                 {"iat", now},
                                 {"nbf", now},
                                 {"exp", now + 600}};
  const auto forged = jose::SignJwt(claims, *key, jose::KeyId(*key));
  ASSERT_TRUE(forged);
  const Reply reply = Exchange(*forged, Env("AGENTBOOT_SIM_WORKLOAD_CLIENT_ID"));
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.Json()["error_codes"], nlohmann::json::array({700027}));
}

TEST(SimEntra, DiscoveryDocumentServesOverTlsWithTheCaFile) {
  const Reply reply = Send("GET",
                           Env("AGENTBOOT_SIM_HTTPS") + "/" + Env("AGENTBOOT_SIM_TENANT_ID") +
                               "/v2.0/.well-known/openid-configuration",
                           {}, {}, Env("AGENTBOOT_SIM_CA_FILE"));
  ASSERT_EQ(reply.status, 200);
  const auto body = reply.Json();
  for (const char* field : {"token_endpoint", "issuer", "authorization_endpoint", "jwks_uri"}) {
    EXPECT_TRUE(body[field].is_string()) << field;
  }
  EXPECT_TRUE(StartsWith(body["token_endpoint"].get<std::string>(), "https://127.0.0.1:"));
}

}  // namespace
}  // namespace agentboot::sim::testing

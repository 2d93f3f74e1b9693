#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"
#include "agentboot/oidc.h"

namespace agentboot::oidc {
namespace {

class FakeTokens final : public identity::TokenSource {
 public:
  std::string_view Name() const override { return "fake"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest& request) override {
    requested.push_back(request.resource);
    if (fail) return Fail(ErrorCode::kUnavailable, "identity", "no identity here");
    identity::AccessToken token;
    token.token = Secret("storage-token");
    token.source = "fake";
    return token;
  }
  std::vector<std::string> requested;
  bool fail = false;
};

http::Response Status(int status, std::string error_code = {}) {
  http::Response response;
  response.status = status;
  if (!error_code.empty()) response.headers.emplace_back("x-ms-error-code", error_code);
  return response;
}

class PublishTest : public ::testing::Test {
 protected:
  PublishOptions Options() {
    PublishOptions options;
    options.account = "agentbootoidc";
    options.container = "oidc";
    options.discovery_json = "{\"issuer\":\"x\"}";
    options.jwks_json = "{\"keys\":[]}";
    return options;
  }
  http::testing::ScriptedTransport transport_;
  FakeTokens tokens_;
  agentboot::testing::FakeClock clock_{FromUnixSeconds(1'800'000'000)};
};

TEST_F(PublishTest, PutsBothDocumentsAsJsonBlockBlobsWithAStorageBearerToken) {
  transport_.Respond(Status(201)).Respond(Status(201));
  auto result = Publish(transport_, tokens_, clock_, Options());
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(tokens_.requested, std::vector<std::string>{"https://storage.azure.com"});
  EXPECT_EQ(result->issuer, "https://agentbootoidc.blob.core.windows.net/oidc/");
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2U);
  // The JWKS first, so the discovery document never points at a missing JWKS.
  EXPECT_EQ(requests[0].url, "https://agentbootoidc.blob.core.windows.net/oidc/openid/v1/jwks");
  EXPECT_EQ(requests[0].body, "{\"keys\":[]}");
  EXPECT_EQ(requests[1].url,
            "https://agentbootoidc.blob.core.windows.net/oidc/.well-known/openid-configuration");
  EXPECT_EQ(requests[1].body, "{\"issuer\":\"x\"}");
  for (const auto& request : requests) {
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(request.Header("Authorization"), "Bearer storage-token");
    EXPECT_EQ(request.Header("x-ms-version"), std::string(kStorageApiVersion));
    EXPECT_EQ(request.Header("x-ms-blob-type"), "BlockBlob");
    EXPECT_EQ(request.Header("Content-Type"), "application/json");
    EXPECT_EQ(request.Header("x-ms-date"), "Fri, 15 Jan 2027 08:00:00 GMT");
    EXPECT_FALSE(request.url.find('?') != std::string::npos);  // no SAS
  }
}

TEST_F(PublishTest, CreatesTheContainerWithPublicBlobAccessWhenAsked) {
  transport_.Respond(Status(201)).Respond(Status(201)).Respond(Status(201));
  auto options = Options();
  options.endpoint = "https://127.0.0.1:10000/devstoreaccount1";
  options.create_container = true;
  auto result = Publish(transport_, tokens_, clock_, options);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_TRUE(result->container_created);
  EXPECT_EQ(result->issuer, "https://127.0.0.1:10000/devstoreaccount1/oidc/");
  const auto create = transport_.requests().at(0);
  EXPECT_EQ(create.url, "https://127.0.0.1:10000/devstoreaccount1/oidc?restype=container");
  EXPECT_EQ(create.Header("x-ms-blob-public-access"), "blob");
  EXPECT_EQ(create.Header("Authorization"), "Bearer storage-token");
}

TEST_F(PublishTest, AnExistingContainerIsFine) {
  transport_.Respond(Status(409, "ContainerAlreadyExists"))
      .Respond(Status(201))
      .Respond(Status(201));
  auto options = Options();
  options.create_container = true;
  auto result = Publish(transport_, tokens_, clock_, options);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_FALSE(result->container_created);
}

TEST_F(PublishTest, DisabledPublicAccessSaysWhichSetting) {
  transport_.Respond(Status(409, "PublicAccessNotPermitted"));
  auto options = Options();
  options.create_container = true;
  auto result = Publish(transport_, tokens_, clock_, options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(result.error().advice.find("allowBlobPublicAccess"), std::string::npos);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST_F(PublishTest, AMissingRoleNamesTheRoleAndStopsBeforeTheDiscoveryDocument) {
  transport_.Respond(Status(403, "AuthorizationPermissionMismatch"));
  auto result = Publish(transport_, tokens_, clock_, Options());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(result.error().http_status, 403);
  EXPECT_NE(result.error().detail.find("AuthorizationPermissionMismatch"), std::string::npos);
  EXPECT_NE(result.error().advice.find("Storage Blob Data Contributor"), std::string::npos);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST_F(PublishTest, AMissingContainerSuggestsCreatingIt) {
  transport_.Respond(Status(404, "ContainerNotFound"));
  auto result = Publish(transport_, tokens_, clock_, Options());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_NE(result.error().advice.find("--create-container"), std::string::npos);
}

TEST_F(PublishTest, NoIdentityNoRequest) {
  tokens_.fail = true;
  auto result = Publish(transport_, tokens_, clock_, Options());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(PublishTest, RefusesBadNamesAndPlainHttpBeforeAnyToken) {
  for (auto change : std::vector<std::function<void(PublishOptions&)>>{
           [](PublishOptions& o) { o.account = "Bad_Account"; },
           [](PublishOptions& o) { o.container = "UPPER"; },
           [](PublishOptions& o) { o.container = "a--b"; },
           [](PublishOptions& o) { o.endpoint = "http://127.0.0.1:10000/devstoreaccount1"; }}) {
    auto options = Options();
    change(options);
    auto result = Publish(transport_, tokens_, clock_, options);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(tokens_.requested.empty());
  EXPECT_EQ(transport_.request_count(), 0U);
}

}  // namespace
}  // namespace agentboot::oidc

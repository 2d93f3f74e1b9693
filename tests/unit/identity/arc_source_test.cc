#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::QueryValue;
using testing::ScriptedTransport;

constexpr char kDir[] = "/test/tokens";

class ArcSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.vars.Set("IDENTITY_ENDPOINT", "http://localhost:40342/metadata/identity/oauth2/token");
    fake_.vars.Set("IMDS_ENDPOINT", "http://localhost:40342");
    options_.arc_key_directory = std::string(kDir) + "/";
  }
  void Challenge(const std::string& realm) {
    http::Response response;
    response.status = 401;
    response.headers = {{"WWW-Authenticate", "Basic realm=" + realm}};
    transport_.Respond(response);
  }
  Result<AccessToken> Get() {
    return MakeArcSource(options_, Deps{fake_.env, transport_})->GetToken(TokenRequest{});
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  IdentityOptions options_;
};

TEST_F(ArcSourceTest, AnswersTheChallengeWithTheKeyFile) {
  const std::string key_path = std::string(kDir) + "/abc.key";
  fake_.fs.Put(key_path, "key-content\n");
  Challenge(key_path);
  transport_.Json(200, R"({"access_token":"arc-token","expires_in":"3600"})");
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.Reveal(), "arc-token");
  EXPECT_EQ(token->source, "arc");
  const auto requests = transport_.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(testing::Path(requests[0].url),
            "http://localhost:40342/metadata/identity/oauth2/token");
  EXPECT_EQ(QueryValue(requests[0].url, "api-version"), "2020-06-01");
  EXPECT_EQ(QueryValue(requests[0].url, "resource"), "499b84ac-1321-427f-aa17-267ca6975798");
  EXPECT_EQ(requests[0].Header("Metadata"), "true");
  EXPECT_FALSE(requests[0].Header("Authorization").has_value());
  EXPECT_EQ(requests[1].Header("Authorization"), "Basic key-content");
  EXPECT_TRUE(requests[1].bypass_proxy);
  EXPECT_FALSE(fake_.log.Contains("key-content"));
}

TEST_F(ArcSourceTest, MissingKeyFileIsALocalFileFailureWithArcAdvice) {
  const std::string key_path = std::string(kDir) + "/gone.key";
  Challenge(key_path);
  auto token = Get();
  ASSERT_FALSE(token.has_value());
  EXPECT_EQ(token.error().code, ErrorCode::kNotFound);
  // The file operation ends the context, as PosixFileSystem's do (a local failure, exit 15).
  EXPECT_TRUE(EndsWith(token.error().context, ": read " + key_path)) << token.error().context;
  EXPECT_NE(token.error().advice.find("azcmagent show"), std::string::npos);
}

struct BadKey {
  std::string realm;
  std::string stored_at;  // a file that exists, so only the check can stop the read
};

class ArcRefusesKey : public ArcSourceTest, public ::testing::WithParamInterface<BadKey> {};

TEST_P(ArcRefusesKey, BeforeReadingIt) {
  fake_.fs.Put(GetParam().stored_at, GetParam().stored_at == "/test/tokens/big.key"
                                         ? std::string(4097, 'k')
                                         : std::string("secret"));
  Challenge(GetParam().realm);
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(result.error().advice.empty());
  EXPECT_EQ(fake_.fs.reads_of(GetParam().stored_at), 0);
  EXPECT_EQ(transport_.request_count(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Arc, ArcRefusesKey,
                         ::testing::Values(BadKey{"/etc/shadow.key", "/etc/shadow.key"},
                                           BadKey{"/test/tokens/../secret.key", "/test/secret.key"},
                                           BadKey{"/test/tokens/sub/x.key",
                                                  "/test/tokens/sub/x.key"},
                                           BadKey{"/test/tokens/passwd", "/test/tokens/passwd"},
                                           BadKey{"/test/tokens/.key", "/test/tokens/.key"},
                                           BadKey{"tokens/a.key", "tokens/a.key"},
                                           BadKey{"/test/tokens/big.key", "/test/tokens/big.key"}));

// security-review L8 (C4/C5): a .key symlink inside the directory pointing outside is not read.
TEST_F(ArcSourceTest, SymlinkedKeyFileIsRefusedAndNotFollowed) {
  fake_.fs.Put("/etc/secret", "out-of-directory-secret");
  fake_.fs.PutSymlink("/test/tokens/link.key", "/etc/secret");
  Challenge("/test/tokens/link.key");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(result.error().detail.find("symlink"), std::string::npos) << result.error().detail;
  EXPECT_EQ(fake_.fs.reads_of("/etc/secret"), 0);
  EXPECT_EQ(transport_.request_count(), 1U);
}

// security-review L8 (C14): a FIFO named *.key is refused instead of read.
TEST_F(ArcSourceTest, FifoKeyFileIsRefused) {
  fake_.fs.PutFifo("/test/tokens/pipe.key");
  Challenge("/test/tokens/pipe.key");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(transport_.request_count(), 1U);
}

TEST_F(ArcSourceTest, MalformedChallengeIsRefused) {
  http::Response response;
  response.status = 401;
  response.headers = {{"WWW-Authenticate", "Bearer realm=/test/tokens/a.key"}};
  transport_.Respond(response);
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ArcSourceTest, HimdsFileSelectsTheDefaultEndpoint) {
  fake_.vars.Unset("IDENTITY_ENDPOINT");
  fake_.vars.Unset("IMDS_ENDPOINT");
  fake_.fs.Put("/opt/azcmagent/bin/himds", "binary");
  fake_.fs.Put("/test/tokens/k.key", "k");
  Challenge("/test/tokens/k.key");
  transport_.Json(200, R"({"access_token":"a","expires_in":3600})");
  ASSERT_TRUE(Get().has_value());
  EXPECT_EQ(testing::Path(transport_.requests()[0].url),
            "http://127.0.0.1:40342/metadata/identity/oauth2/token");
}

TEST_F(ArcSourceTest, AbsentEnvironmentIsUnavailable) {
  fake_.vars.Unset("IMDS_ENDPOINT");
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("IMDS_ENDPOINT"), std::string::npos);
}

}  // namespace
}  // namespace agentboot::identity

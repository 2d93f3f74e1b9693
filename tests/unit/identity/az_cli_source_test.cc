#include <gtest/gtest.h>

#include "test_support.h"
#include "token_parser.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::ScriptedTransport;

class AzCliSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.vars.Set("HOME", "/home/admin"); }
  Result<AccessToken> Get() {
    return MakeAzCliSource(options_, Deps{fake_.env, transport_})->GetToken(TokenRequest{});
  }
  static ProcessOutput Output(int exit_code, std::string out, std::string err = {}) {
    ProcessOutput output;
    output.exit_code = exit_code;
    output.stdout_text = std::move(out);
    output.stderr_text = std::move(err);
    return output;
  }
  FakeEnv fake_;
  ScriptedTransport transport_;
  IdentityOptions options_;
};

TEST_F(AzCliSourceTest, RunsAzWithoutAShellAndReadsExpiresOn) {
  options_.az_timeout = std::chrono::seconds(9);
  fake_.processes.Push(Output(0,
                              R"({"accessToken":"cli-token","expires_on":1800003600,)"
                              R"("expiresOn":"2000-01-01 00:00:00.000000","tokenType":"Bearer"})"));
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->token.Reveal(), "cli-token");
  EXPECT_EQ(token->expires_on, FromUnixSeconds(1'800'003'600));
  EXPECT_EQ(token->source, "azcli");
  ASSERT_EQ(fake_.processes.specs().size(), 1U);
  const auto& spec = fake_.processes.specs()[0];
  EXPECT_EQ(spec.argv,
            (std::vector<std::string>{"az", "account", "get-access-token", "--resource",
                                      "499b84ac-1321-427f-aa17-267ca6975798", "--output", "json"}));
  EXPECT_EQ(spec.env.at("AZURE_CORE_NO_COLOR"), "true");
  EXPECT_EQ(spec.env.at("HOME"), "/home/admin");
  EXPECT_EQ(spec.timeout, std::chrono::seconds(9));
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(AzCliSourceTest, FallsBackToLocalExpiresOn) {
  fake_.processes.Push(
      Output(0, R"({"accessToken":"t","expiresOn":"2027-01-15 08:00:00.000000"})"));
  auto token = Get();
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_EQ(token->expires_on, detail::ParseLocalTimestamp("2027-01-15 08:00:00"));
}

TEST_F(AzCliSourceTest, NotInstalledIsUnavailable) {
  fake_.processes.Push(Fail(ErrorCode::kNotFound, "exec az", "No such file or directory"));
  auto missing = Get();
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().detail.find("Azure CLI not found"), std::string::npos);
  fake_.processes.Push(Output(127, "", "sh: az: not found"));
  EXPECT_EQ(Get().error().code, ErrorCode::kUnavailable);
}

TEST_F(AzCliSourceTest, NotLoggedInIsNoIdentityHere) {
  fake_.processes.Push(Output(1, "", "ERROR: Please run 'az login' to setup account."));
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().advice.find("az login"), std::string::npos);
}

TEST_F(AzCliSourceTest, TimeoutIsDeadlineExceeded) {
  ProcessOutput output = Output(137, "");
  output.timed_out = true;
  fake_.processes.Push(output);
  EXPECT_EQ(Get().error().code, ErrorCode::kDeadlineExceeded);
}

TEST_F(AzCliSourceTest, UnexpectedOutputIsReportedWithoutTheToken) {
  const std::string jwt =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl";
  fake_.processes.Push(Output(0, "WARNING: something\n{\"accessToken\": \"" + jwt + "\""));
  auto result = Get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInternal);
  EXPECT_NE(result.error().detail.find("WARNING: something"), std::string::npos);
  EXPECT_EQ(result.error().detail.find("eyJ0eXAi"), std::string::npos);
  EXPECT_LE(result.error().detail.size(), 300U);
}

TEST_F(AzCliSourceTest, RefusesAResourceThatLooksLikeAnOption) {
  TokenRequest request;
  request.resource = "--debug";
  auto result = MakeAzCliSource(options_, Deps{fake_.env, transport_})->GetToken(request);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fake_.processes.specs().empty());
}

}  // namespace
}  // namespace agentboot::identity

// ChainSource, MakeSource and the PAT source.
#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::FakeSource;
using testing::ScriptedTransport;
using testing::Token;

struct Chain {
  FakeSource* first;
  FakeSource* second;
  FakeSource* third;
  std::unique_ptr<ChainSource> chain;
};

Chain MakeChain(Logger& log) {
  auto a = std::make_unique<FakeSource>("a");
  auto b = std::make_unique<FakeSource>("b");
  auto c = std::make_unique<FakeSource>("c");
  Chain out{a.get(), b.get(), c.get(), nullptr};
  std::vector<std::unique_ptr<TokenSource>> sources;
  sources.push_back(std::move(a));
  sources.push_back(std::move(b));
  sources.push_back(std::move(c));
  out.chain = std::make_unique<ChainSource>(std::move(sources), log);
  return out;
}

TEST(ChainSource, SkipsUnavailableAndPinsTheWinner) {
  agentboot::testing::RecordingLogger log;
  auto chain = MakeChain(log);
  const TimePoint later = FromUnixSeconds(1'900'000'000);
  chain.second->SetFallback(Token("b-token", later, "b"));
  EXPECT_EQ(chain.chain->Name(), "auto");
  auto token = chain.chain->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->token.Reveal(), "b-token");
  EXPECT_EQ(chain.chain->Name(), "b");
  EXPECT_TRUE(log.Contains("a"));
  // Pinned: the first source is not asked again even if it would now answer.
  chain.first->SetFallback(Token("a-token", later, "a"));
  EXPECT_EQ(chain.chain->GetToken(TokenRequest{})->token.Reveal(), "b-token");
  EXPECT_EQ(chain.first->calls(), 1);
  EXPECT_EQ(chain.second->calls(), 2);
  EXPECT_EQ(chain.third->calls(), 0);
}

TEST(ChainSource, StopsOnUnauthenticated) {
  agentboot::testing::RecordingLogger log;
  auto chain = MakeChain(log);
  chain.first->SetFallback(Fail(ErrorCode::kUnauthenticated, "a", "refused", "fix it"));
  chain.second->SetFallback(Token("b-token", FromUnixSeconds(1'900'000'000), "b"));
  auto result = chain.chain->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(chain.second->calls(), 0);
  EXPECT_EQ(chain.chain->Name(), "auto");
}

TEST(ChainSource, AConfiguredSourceThatFailsIsTheAnswer) {
  agentboot::testing::RecordingLogger log;
  auto chain = MakeChain(log);
  // Present (no "not configured") but unreachable, e.g. an untrusted TLS certificate.
  chain.first->SetFallback(
      Fail(ErrorCode::kUnavailable, "identity/a", "SSL certificate problem", "trust its CA"));
  chain.second->SetFallback(Token("b-token", FromUnixSeconds(1'900'000'000), "b"));
  auto result = chain.chain->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().detail, "SSL certificate problem");
  EXPECT_EQ(result.error().advice, "trust its CA");
  EXPECT_EQ(chain.second->calls(), 0);
}

TEST(ChainSource, AllUnavailableListsEachReason) {
  agentboot::testing::RecordingLogger log;
  auto chain = MakeChain(log);
  auto result = chain.chain->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().detail.find("c: not configured on this host"), std::string::npos);
  EXPECT_FALSE(result.error().advice.empty());
}

TEST(MakeSource, AutoChainFallsThroughToTheAzureCli) {
  FakeEnv fake;
  ScriptedTransport transport;
  transport.FailWith(ErrorCode::kUnavailable, "connection refused");  // no IMDS here
  fake.processes.Push(tl::unexpected(MakeError(ErrorCode::kNotFound, "exec", "no az")));
  auto source = MakeSource(IdentityOptions{}, Deps{fake.env, transport});
  ASSERT_TRUE(source.has_value());
  auto result = (*source)->GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(transport.request_count(), 1U);  // the IMDS probe, not retried
  EXPECT_EQ(fake.processes.specs().size(), 1U);
  EXPECT_NE(result.error().detail.find("workload:"), std::string::npos);
  EXPECT_NE(result.error().detail.find("azcli:"), std::string::npos);
}

TEST(MakeSource, AutoPrefersWorkloadWhenItsVariablesArePresent) {
  FakeEnv fake;
  ScriptedTransport transport;
  fake.vars.Set("AZURE_CLIENT_ID", "c");
  fake.vars.Set("AZURE_TENANT_ID", "t");
  fake.vars.Set("AZURE_FEDERATED_TOKEN_FILE", "/token");
  fake.vars.Set("IDENTITY_ENDPOINT", "http://localhost:1/msi");
  fake.vars.Set("IDENTITY_HEADER", "h");
  fake.fs.Put("/token", "jwt");
  transport.Json(200, R"({"access_token":"w","expires_in":3599})");
  auto source = MakeSource(IdentityOptions{}, Deps{fake.env, transport});
  ASSERT_TRUE(source.has_value());
  ASSERT_TRUE((*source)->GetToken(TokenRequest{}).has_value());
  EXPECT_EQ((*source)->Name(), "workload");
}

TEST(MakeSource, RejectsTwoSelectorsAndParsesKinds) {
  FakeEnv fake;
  ScriptedTransport transport;
  IdentityOptions options;
  options.client_id = "a";
  options.object_id = "b";
  EXPECT_EQ(MakeSource(options, Deps{fake.env, transport}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseSourceKind("appservice"), SourceKind::kAppService);
  EXPECT_EQ(ParseSourceKind("AzCli"), SourceKind::kAzCli);
  EXPECT_EQ(ParseSourceKind("pat"), SourceKind::kPat);
  EXPECT_EQ(ParseSourceKind("magic").error().code, ErrorCode::kInvalidArgument);
  for (const auto kind : {SourceKind::kAuto, SourceKind::kImds, SourceKind::kArc,
                          SourceKind::kCloudShell, SourceKind::kWorkload}) {
    EXPECT_EQ(ParseSourceKind(SourceKindName(kind)), kind);
  }
}

TEST(PatSource, OnlyWhenAskedAndWithAWarning) {
  FakeEnv fake;
  ScriptedTransport transport;
  fake.vars.Set("AZP_TOKEN", "pat-value");
  IdentityOptions options;
  options.kind = SourceKind::kPat;
  auto source = MakeSource(options, Deps{fake.env, transport});
  ASSERT_TRUE(source.has_value());
  auto token = (*source)->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value());
  EXPECT_TRUE(token->is_pat);
  EXPECT_EQ(token->token.Reveal(), "pat-value");
  EXPECT_GT(token->expires_on, fake.clock.Now() + std::chrono::hours(24 * 365));
  EXPECT_TRUE(fake.log.Contains("defeats the purpose"));
  EXPECT_FALSE(fake.log.Contains("pat-value"));
  // The auto chain never uses a PAT.
  fake.processes.Push(tl::unexpected(MakeError(ErrorCode::kNotFound, "exec", "no az")));
  transport.FailWith(ErrorCode::kUnavailable);
  auto chain = MakeSource(IdentityOptions{}, Deps{fake.env, transport});
  EXPECT_FALSE((*chain)->GetToken(TokenRequest{}).has_value());
}

TEST(PatSource, ReadsTheTokenFile) {
  FakeEnv fake;
  ScriptedTransport transport;
  fake.vars.Set("AZP_TOKEN_FILE", "/pat");
  fake.fs.Put("/pat", "from-file\n");
  auto token = MakePatSource({}, Deps{fake.env, transport})->GetToken(TokenRequest{});
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->token.Reveal(), "from-file");
}

}  // namespace
}  // namespace agentboot::identity

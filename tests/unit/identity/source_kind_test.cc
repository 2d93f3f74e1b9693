// Decisions read a source's kind and an error's origin, never a name or a context string.
#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using testing::FakeEnv;
using testing::FakeSource;
using testing::ScriptedTransport;
using testing::Token;

const TimePoint kLater = FromUnixSeconds(1'900'000'000);

// An IMDS that does not answer, in IMDS's own words (no "not configured": IMDS needs no variable).
Result<AccessToken> NoAnswer() {
  return Fail(ErrorCode::kUnavailable, "identity/imds: GET token", "connection refused");
}

TEST(SourceKind, EachBuiltInSourceSaysWhatItIs) {
  FakeEnv fake;
  ScriptedTransport transport;
  Deps deps{fake.env, transport};
  const IdentityOptions options;
  EXPECT_EQ(MakeImdsSource(options, deps, false)->Kind(), SourceKind::kImds);
  EXPECT_EQ(MakeAppServiceSource(options, deps)->Kind(), SourceKind::kAppService);
  EXPECT_EQ(MakeArcSource(options, deps)->Kind(), SourceKind::kArc);
  EXPECT_EQ(MakeCloudShellSource(options, deps)->Kind(), SourceKind::kCloudShell);
  EXPECT_EQ(MakeWorkloadSource(options, deps)->Kind(), SourceKind::kWorkload);
  EXPECT_EQ(MakeAzCliSource(options, deps)->Kind(), SourceKind::kAzCli);
  EXPECT_EQ(MakePatSource(options, deps)->Kind(), SourceKind::kPat);
}

TEST(SourceKind, AChainIsAutoUntilItPinsAndThenThePinnedKindThroughTheCache) {
  FakeEnv fake;
  auto imds = std::make_unique<FakeSource>("imds", SourceKind::kImds);
  auto azcli = std::make_unique<FakeSource>("azcli", SourceKind::kAzCli);
  FakeSource* imds_source = imds.get();
  imds->SetFallback(NoAnswer());
  azcli->SetFallback(Token("cli-token", kLater, "azcli"));
  std::vector<std::unique_ptr<TokenSource>> sources;
  sources.push_back(std::move(imds));
  sources.push_back(std::move(azcli));
  ChainSource chain(std::move(sources), fake.log);
  CachedSource cache(chain, fake.clock, fake.random, fake.log);
  EXPECT_EQ(cache.Kind(), SourceKind::kAuto);
  // An IMDS that does not answer is absent by its kind: the chain moves on to the Azure CLI.
  ASSERT_TRUE(cache.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(imds_source->calls(), 1);
  EXPECT_EQ(chain.Kind(), SourceKind::kAzCli);
  EXPECT_EQ(cache.Kind(), SourceKind::kAzCli);
}

TEST(SourceKind, ANameIsOnlyANameForTheChain) {
  // A source that is called "imds" but is not of that kind and fails without "not configured"
  // is a configured source that failed: the chain stops there.
  FakeEnv fake;
  auto named = std::make_unique<FakeSource>("imds", SourceKind::kWorkload);
  auto next = std::make_unique<FakeSource>("next");
  FakeSource* next_source = next.get();
  named->SetFallback(NoAnswer());
  next->SetFallback(Token("t", kLater, "next"));
  std::vector<std::unique_ptr<TokenSource>> sources;
  sources.push_back(std::move(named));
  sources.push_back(std::move(next));
  ChainSource chain(std::move(sources), fake.log);
  ASSERT_FALSE(chain.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(next_source->calls(), 0);
}

TEST(ErrorOrigin, TheCacheAndTheChainMarkTheirSourcesErrorsAsTheIdentitys) {
  FakeEnv fake;
  FakeSource inner;
  inner.SetFallback(Fail(ErrorCode::kUnauthenticated, "no-identity-word", "refused", "fix it"));
  CachedSource cache(inner, fake.clock, fake.random, fake.log);
  auto refused = cache.GetToken(TokenRequest{});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().origin, ErrorOrigin::kIdentity);
  EXPECT_EQ(refused.error().context, "no-identity-word");  // the text is left alone

  std::vector<std::unique_ptr<TokenSource>> none;
  ChainSource empty(std::move(none), fake.log);
  auto nothing = empty.GetToken(TokenRequest{});
  ASSERT_FALSE(nothing.has_value());
  EXPECT_EQ(nothing.error().origin, ErrorOrigin::kIdentity);
}

TEST(ErrorOrigin, AKnownOriginIsKept) {
  Error tls = MakeError(ErrorCode::kUnavailable, "identity/imds: GET token", "SSL problem");
  tls.origin = ErrorOrigin::kTls;
  EXPECT_EQ(IdentityError(tls).origin, ErrorOrigin::kTls);
  EXPECT_EQ(IdentityError(MakeError(ErrorCode::kInternal, "c", "d")).origin,
            ErrorOrigin::kIdentity);
}

}  // namespace
}  // namespace agentboot::identity

#include <condition_variable>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.h"

namespace agentboot::identity {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeEnv;
using testing::FakeSource;
using testing::Token;

class CachedSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.random.Fix(0); }
  TimePoint Start() const { return start_; }
  FakeEnv fake_;
  TimePoint start_ = fake_.clock.Now();
  FakeSource inner_;
  CachedSource cache_{inner_, fake_.clock, fake_.random, fake_.log};
};

TEST_F(CachedSourceTest, RefreshesA24HourTokenAtHalfLife) {
  inner_.Push(Token("a", Start() + hours(24)));
  inner_.Push(Token("b", Start() + hours(36)));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "a");
  fake_.clock.Advance(hours(12) - seconds(1));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "a");
  EXPECT_EQ(inner_.calls(), 1);
  fake_.clock.Advance(seconds(1));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "b");
  EXPECT_EQ(inner_.calls(), 2);
}

TEST_F(CachedSourceTest, RefreshesA1HourTokenFiveMinutesBeforeExpiry) {
  inner_.Push(Token("a", Start() + hours(1)));
  inner_.Push(Token("b", Start() + hours(2)));
  EXPECT_EQ(cache_.Status(TokenRequest{}).refresh_at, std::nullopt);
  ASSERT_TRUE(cache_.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(cache_.Status(TokenRequest{}).refresh_at, Start() + minutes(55));
  fake_.clock.Advance(minutes(55) - seconds(1));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "a");
  fake_.clock.Advance(seconds(1));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "b");
}

TEST_F(CachedSourceTest, HonoursRefreshIn) {
  auto token = Token("a", Start() + hours(24));
  token.refresh_on = Start() + hours(1);
  inner_.Push(token);
  ASSERT_TRUE(cache_.GetToken(TokenRequest{}).has_value());
  const auto status = cache_.Status(TokenRequest{});
  EXPECT_EQ(status.refresh_at, Start() + hours(1));
  EXPECT_EQ(status.expires_on, Start() + hours(24));  // the real expiry is kept
  EXPECT_EQ(status.source, "fake");
}

TEST_F(CachedSourceTest, JitterStaysWithinItsBounds) {
  inner_.Push(Token("a", Start() + hours(24)));
  ASSERT_TRUE(cache_.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(cache_.Status(TokenRequest{}).refresh_at, Start() + hours(12));  // Fix(0)

  FakeSource other;
  fake_.random.Fix(1);
  CachedSource jittered(other, fake_.clock, fake_.random, fake_.log);
  other.Push(Token("b", Start() + hours(24)));
  ASSERT_TRUE(jittered.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(jittered.Status(TokenRequest{}).refresh_at, Start() + hours(12) - minutes(5));

  // A short token: jitter is at most a tenth of its lifetime.
  FakeSource short_lived;
  CachedSource short_cache(short_lived, fake_.clock, fake_.random, fake_.log);
  short_lived.Push(Token("c", Start() + minutes(20)));
  ASSERT_TRUE(short_cache.GetToken(TokenRequest{}).has_value());
  EXPECT_EQ(short_cache.Status(TokenRequest{}).refresh_at, Start() + minutes(15) - minutes(2));
}

TEST_F(CachedSourceTest, KeepsValidTokenThroughATwoHourOutage) {
  inner_.Push(Token("old", Start() + hours(24)));
  ASSERT_TRUE(cache_.GetToken(TokenRequest{}).has_value());
  inner_.SetFallback(Fail(ErrorCode::kUnavailable, "imds", "HTTP 503"));
  fake_.clock.Advance(hours(12));
  std::vector<Duration> backoffs;
  int last_failures = 0;
  for (int step = 0; step <= 24; ++step) {  // two hours in 5-minute steps
    auto token = cache_.GetToken(TokenRequest{});
    ASSERT_TRUE(token.has_value()) << "step " << step;
    EXPECT_EQ(token->token.Reveal(), "old");
    const auto status = cache_.Status(TokenRequest{});
    if (status.consecutive_failures > last_failures) {
      backoffs.push_back(
          std::chrono::duration_cast<Duration>(*status.next_retry - fake_.clock.Now()));
      last_failures = status.consecutive_failures;
    }
    fake_.clock.Advance(minutes(5));
  }
  ASSERT_GE(backoffs.size(), 6U);
  EXPECT_EQ(backoffs.front(), seconds(30));
  for (size_t i = 1; i < backoffs.size(); ++i) EXPECT_GE(backoffs[i], backoffs[i - 1]);
  EXPECT_EQ(backoffs.back(), minutes(10));
  EXPECT_LT(inner_.calls(), 26);  // backoff skipped some steps
  EXPECT_TRUE(fake_.log.Contains("still using the current token"));

  inner_.Push(Token("new", fake_.clock.Now() + hours(24)));
  fake_.clock.Advance(minutes(10));
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "new");
  EXPECT_EQ(cache_.Status(TokenRequest{}).consecutive_failures, 0);
}

TEST_F(CachedSourceTest, PropagatesTheErrorOnceTheTokenIsExpired) {
  inner_.Push(Token("a", Start() + hours(1)));
  ASSERT_TRUE(cache_.GetToken(TokenRequest{}).has_value());
  inner_.SetFallback(Fail(ErrorCode::kUnauthenticated, "imds", "refused", "assign it"));
  fake_.clock.Advance(minutes(59));  // inside the 2-minute expiry margin
  auto result = cache_.GetToken(TokenRequest{});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(CachedSourceTest, KeysByResource) {
  inner_.Push(Token("devops", Start() + hours(1)));
  inner_.Push(Token("graph", Start() + hours(1)));
  TokenRequest other;
  other.resource = "https://graph.microsoft.com";
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "devops");
  EXPECT_EQ(cache_.GetToken(other)->token.Reveal(), "graph");
  EXPECT_EQ(cache_.GetToken(TokenRequest{})->token.Reveal(), "devops");
  EXPECT_EQ(inner_.calls(), 2);
}

// A source that blocks inside GetToken until released.
class GateSource final : public TokenSource {
 public:
  explicit GateSource(AccessToken token) : token_(std::move(token)) {}
  std::string_view Name() const override { return "gate"; }
  SourceKind Kind() const override { return SourceKind::kAuto; }
  Result<AccessToken> GetToken(const TokenRequest&) override {
    std::unique_lock lock(mu_);
    ++calls_;
    entered_.notify_all();
    released_cv_.wait(lock, [&] { return released_; });
    return token_;
  }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    entered_.wait(lock, [&] { return calls_ > 0; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    released_cv_.notify_all();
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  AccessToken token_;
  std::mutex mu_;
  std::condition_variable entered_, released_cv_;
  bool released_ = false;
  int calls_ = 0;
};

TEST_F(CachedSourceTest, ConcurrentCallersCauseOneFetch) {
  GateSource gate(Token("shared", Start() + hours(24)));
  CachedSource cache(gate, fake_.clock, fake_.random, fake_.log);
  std::vector<std::string> seen(6);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { seen[0] = cache.GetToken(TokenRequest{})->token.Reveal(); });
  gate.WaitEntered();
  for (size_t i = 1; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = cache.GetToken(TokenRequest{})->token.Reveal(); });
  }
  gate.Release();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(gate.calls(), 1);
  for (const auto& value : seen) EXPECT_EQ(value, "shared");
}

}  // namespace
}  // namespace agentboot::identity

// RegistrationKeeper::OnExit and BeforeLaunch carrying out the exit policy against a scripted
// Azure DevOps (fake transport, fake clock, in-memory files): one test per branch.
#include <string>

#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http_testing.h"

#include "run_registration.h"
#include "static_tokens.h"

namespace agentboot::cli {
namespace {

using supervisor::ExitDecision;
using supervisor::ExitStatus;

// How the scripted server answers the agent look-up (GET .../agents/42) and the pool look-up a
// re-registration starts with (GET .../pools?poolName=...).
enum class Answer { kOk, kNotFound, kUnavailable, kRefused, kForbidden };

Result<http::Response> Reply(Answer answer, std::string ok_body) {
  switch (answer) {
    case Answer::kOk:
      return http::Response{200, {{"Content-Type", "application/json"}}, std::move(ok_body)};
    case Answer::kNotFound:
      return http::Response{
          404, {{"Content-Type", "application/json"}}, R"({"message":"Agent 42 was not found"})"};
    case Answer::kUnavailable:
      return Fail(ErrorCode::kUnavailable, "connect", "refused");
    case Answer::kRefused:
      return http::Response{401, {}, ""};
    case Answer::kForbidden:
      return http::Response{403, {{"Content-Type", "application/json"}}, R"({"message":"no"})"};
  }
  return Fail(ErrorCode::kInternal, "test", "unreachable");
}

class RegistrationKeeperTest : public ::testing::Test {
 protected:
  RegistrationKeeperTest() {
    options_.server_url = "https://dev.azure.com/org";
    options_.pool = "Default";
    options_.agent_name = "a";
    options_.agent_version = "4.260.0";
    transport_.Fallback([this](const http::Request& request) -> Result<http::Response> {
      if (request.url.find("/agents/42") != std::string::npos) {
        return Reply(agent_, R"({"id":42,"name":"a","enabled":true,"status":"online"})");
      }
      return Reply(pool_, R"({"count":1,"value":[{"id":1,"name":"Default"}]})");
    });
  }
  RegistrationKeeper& Keeper() {
    if (!keeper_) {
      keeper_ = std::make_unique<RegistrationKeeper>(
          env_.env, client_, files_, options_, registration_,
          [this](const agent::Registration&) { ++registered_; }, [] { return Status{}; });
    }
    return *keeper_;
  }
  size_t AgentLookups() const {
    size_t count = 0;
    for (const auto& request : transport_.requests()) {
      if (request.url.find("/agents/42") != std::string::npos) ++count;
    }
    return count;
  }

  testing::FakeEnv env_;
  http::testing::ScriptedTransport transport_;
  StaticTokens tokens_;
  devops::Client client_{[] {
                           devops::ClientOptions options;
                           options.organization_url = "https://dev.azure.com/org";
                           return options;
                         }(),
                         transport_, tokens_, env_.env};
  agent::AgentFiles files_{env_.env.fs, "/agent"};
  agent::RegisterOptions options_;
  agent::Registration registration_{agent::RegisterOutcome::kCreated, 1, "Default", 42, "a"};
  Answer agent_ = Answer::kOk;
  Answer pool_ = Answer::kOk;
  int registered_ = 0;
  std::unique_ptr<RegistrationKeeper> keeper_;
};

TEST_F(RegistrationKeeperTest, AnExpectedExitAsksNobody) {
  for (int code : {0, 3, 4}) EXPECT_EQ(Keeper().OnExit({code, 0}), ExitDecision::kFollowPolicy);
  EXPECT_EQ(transport_.request_count(), 0U);
}

TEST_F(RegistrationKeeperTest, AgentPresentFollowsThePolicy) {
  EXPECT_EQ(Keeper().OnExit({2, 0}), ExitDecision::kFollowPolicy);
  EXPECT_EQ(AgentLookups(), 1U);
  EXPECT_FALSE(Keeper().fatal_error().has_value());
}

TEST_F(RegistrationKeeperTest, ASessionConflictIsRetriedOnce) {
  Keeper().OnLine("SessionConflictException: A session for this agent already exists.");
  EXPECT_EQ(Keeper().OnExit({1, 0}), ExitDecision::kRestart);
  EXPECT_EQ(Keeper().OnExit({1, 0}), ExitDecision::kFollowPolicy);  // the conflict was answered
}

TEST_F(RegistrationKeeperTest, AnUnreachableServerIsAnUncountedBackoff) {
  agent_ = Answer::kUnavailable;
  EXPECT_EQ(Keeper().OnExit({-1, 9}), ExitDecision::kBackoffUncounted);
  EXPECT_TRUE(env_.log.Contains("Azure DevOps is unreachable"));
  EXPECT_EQ(registered_, 0);
}

TEST_F(RegistrationKeeperTest, AnotherServerAnswerFollowsThePolicy) {
  agent_ = Answer::kForbidden;
  EXPECT_EQ(Keeper().OnExit({2, 0}), ExitDecision::kFollowPolicy);
  EXPECT_FALSE(env_.log.Contains("re-registration failed"));
}

TEST_F(RegistrationKeeperTest, DeletedAndTheServerUnreachableRetriesBeforeTheNextLaunch) {
  agent_ = Answer::kNotFound;
  pool_ = Answer::kUnavailable;
  EXPECT_EQ(Keeper().OnExit({2, 0}), ExitDecision::kBackoffUncounted);
  EXPECT_EQ(AgentLookups(), 2U);  // two "not found" answers a moment apart
  EXPECT_TRUE(env_.log.Contains("re-registration failed"));
  EXPECT_FALSE(Keeper().fatal_error().has_value());
  // The next launch tries again: still deleted, still unreachable.
  EXPECT_FALSE(Keeper().BeforeLaunch().has_value());
  // The agent is back (someone registered it): the launch goes ahead without a registration.
  agent_ = Answer::kOk;
  EXPECT_TRUE(Keeper().BeforeLaunch().has_value());
  EXPECT_TRUE(Keeper().BeforeLaunch().has_value());  // and the retry is forgotten
  EXPECT_EQ(registered_, 0);
}

TEST_F(RegistrationKeeperTest, DeletedAndTheRegistrationRefusedEndsSupervision) {
  agent_ = Answer::kNotFound;
  pool_ = Answer::kRefused;
  EXPECT_EQ(Keeper().OnExit({2, 0}), ExitDecision::kStop);
  ASSERT_TRUE(Keeper().fatal_error().has_value());
  EXPECT_EQ(Keeper().fatal_error()->code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(env_.log.Contains("re-registration failed"));
  EXPECT_TRUE(Keeper().BeforeLaunch().has_value());  // nothing left to retry
}

}  // namespace
}  // namespace agentboot::cli

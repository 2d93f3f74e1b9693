// `run`'s preparation order (PrepareRun): the local steps come first, and no token is requested
// when one of them fails.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "exit_codes.h"
#include "run_launch.h"

namespace agentboot::cli {
namespace {

class CountingTokens final : public identity::TokenSource {
 public:
  explicit CountingTokens(std::vector<std::string>& calls) : calls_(calls) {}
  std::string_view Name() const override { return "counting"; }
  identity::SourceKind Kind() const override { return identity::SourceKind::kAuto; }
  Result<identity::AccessToken> GetToken(const identity::TokenRequest& /*request*/) override {
    calls_.emplace_back("token");
    if (fail_) return Fail(*fail_);
    identity::AccessToken token;
    token.token = Secret("eyJ.secret.token");
    return token;
  }
  void FailWith(Error error) { fail_ = std::move(error); }

 private:
  std::vector<std::string>& calls_;
  std::optional<Error> fail_;
};

struct Recorder {
  std::vector<std::string> calls;
  std::string failing;  // the step that fails, "" for none
  int failure_code = kExitUsage;

  std::function<int()> Step(std::string name) {
    return [this, name] {
      calls.push_back(name);
      return name == failing ? failure_code : kExitOk;
    };
  }
  PreparationSteps Steps() {
    return {Step("check_locally"), Step("secure_start"), Step("lock_agent_dir"),
            Step("serve_health")};
  }
};

TEST(PrepareRun, RunsTheLocalStepsInOrderThenAsksForOneToken) {
  Recorder recorder;
  CountingTokens tokens(recorder.calls);
  EXPECT_EQ(PrepareRun(recorder.Steps(), tokens), kExitOk);
  EXPECT_EQ(recorder.calls, (std::vector<std::string>{"check_locally", "secure_start",
                                                      "lock_agent_dir", "serve_health", "token"}));
}

TEST(PrepareRun, NoTokenIsRequestedWhenALocalStepFails) {
  struct Row {
    std::string failing;
    int code;
    std::vector<std::string> calls;
  };
  const std::vector<Row> rows{
      {"check_locally", kExitUsage, {"check_locally"}},
      {"secure_start", kExitUsage, {"check_locally", "secure_start"}},
      {"lock_agent_dir", kExitConflict, {"check_locally", "secure_start", "lock_agent_dir"}},
      {"serve_health",
       kExitUsage,
       {"check_locally", "secure_start", "lock_agent_dir", "serve_health"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.failing);
    Recorder recorder;
    recorder.failing = row.failing;
    recorder.failure_code = row.code;
    CountingTokens tokens(recorder.calls);
    EXPECT_EQ(PrepareRun(recorder.Steps(), tokens), row.code);
    EXPECT_EQ(recorder.calls, row.calls);  // and so never "token"
  }
}

TEST(PrepareRun, ATokenFailureIsTheIdentitysExitCode) {
  struct Row {
    ErrorCode error;
    int code;
  };
  for (const Row& row : {Row{ErrorCode::kUnavailable, kExitIdentityUnavailable},
                         Row{ErrorCode::kUnauthenticated, kExitIdentityRefused},
                         Row{ErrorCode::kInvalidArgument, kExitUsage}}) {
    SCOPED_TRACE(ErrorCodeName(row.error));
    Recorder recorder;
    CountingTokens tokens(recorder.calls);
    Error error;
    error.code = row.error;
    error.context = "identity imds";
    error.detail = "scripted";
    tokens.FailWith(error);
    EXPECT_EQ(PrepareRun(recorder.Steps(), tokens), row.code);
    EXPECT_EQ(recorder.calls.back(), "token");
  }
}

}  // namespace
}  // namespace agentboot::cli

// Drives the pure Step function with virtual time: the test advances `now` explicitly.
#pragma once

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "agentboot/supervisor.h"

namespace agentboot::supervisor {

class StepHarness {
 public:
  explicit StepHarness(Policy policy = FastPolicy()) : state_(InitialState(policy)) {}

  static Policy FastPolicy() {
    Policy policy;
    policy.jitter_ratio = 0.0;  // exact delays unless a test asks for jitter
    return policy;
  }

  Transition Apply(const Event& event) {
    Transition t = Step(state_, event, now_);
    state_ = t.next;
    return t;
  }
  // Start and report the launch: the listener runs as `pid`.
  void StartRunning(int pid = 100) {
    Apply(Start{});
    Apply(ChildStarted{pid});
  }
  Transition ExitWith(int code, double jitter = 0) {
    return Apply(ChildExited{state_.pid, ExitStatus{code, 0}, jitter});
  }
  void Advance(Duration d) { now_ += d; }
  // Moves time to the pending deadline and fires it.
  Transition FireDeadline() {
    EXPECT_TRUE(state_.deadline.has_value());
    if (state_.deadline) now_ = std::max(now_, *state_.deadline);
    return Apply(Timeout{});
  }

  const State& state() const { return state_; }
  TimePoint now() const { return now_; }

 private:
  State state_;
  TimePoint now_ = FromUnixSeconds(1'800'000'000);
};

template <typename T>
int CountActions(const Transition& t) {
  return static_cast<int>(std::count_if(t.actions.begin(), t.actions.end(), [](const Action& a) {
    return std::holds_alternative<T>(a);
  }));
}

template <typename T>
const T* FindAction(const Transition& t) {
  for (const auto& a : t.actions) {
    if (const T* found = std::get_if<T>(&a)) return found;
  }
  return nullptr;
}

}  // namespace agentboot::supervisor

// Fakes for the lifecycle controller: a mailbox on a FakeClock (messages scheduled at virtual
// times), a server-side agent with a job and outage windows, and a listener that answers Stop
// and Pause after a virtual delay.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agentboot/base_testing.h"
#include "agentboot/lifecycle.h"

namespace agentboot::lifecycle::testing {

using agentboot::testing::FakeClock;

class FakeMailbox final : public Mailbox {
 public:
  explicit FakeMailbox(FakeClock& clock) : clock_(clock) {}
  void Post(Message message) override { At(clock_.Now(), std::move(message)); }
  void At(TimePoint when, Message message) { scheduled_.emplace(when, std::move(message)); }
  std::optional<Message> WaitUntil(TimePoint deadline) override {
    if (!scheduled_.empty() && scheduled_.begin()->first <= deadline) {
      auto first = scheduled_.begin();
      if (first->first > clock_.Now()) clock_.Set(first->first);
      Message message = std::move(first->second);
      scheduled_.erase(first);
      return message;
    }
    if (deadline > clock_.Now()) clock_.Set(deadline);
    return std::nullopt;
  }

 private:
  FakeClock& clock_;
  std::multimap<TimePoint, Message> scheduled_;  // FIFO among equal times
};

struct Call {
  TimePoint at;
  std::string what;  // "disable", "enable", "busy?", "remove", "rotate"
  bool ok = true;
};

class FakeAgent final : public AgentControl {
 public:
  explicit FakeAgent(FakeClock& clock) : clock_(clock) {}

  // The server answers kUnavailable in [from, until).
  void Outage(TimePoint from, TimePoint until) { outages_.emplace_back(from, until); }
  TimePoint busy_until{};  // a job is assigned until then
  bool enabled = true;
  bool removed = false;
  int key_generation = 1;
  std::vector<Call> calls;
  std::vector<std::string>* journal = nullptr;  // successful calls other than "busy?", in order

  Status SetEnabled(bool value) override {
    if (auto down = Down(value ? "enable" : "disable")) return Fail(*down);
    enabled = value;
    return Status{};
  }
  Result<bool> HasAssignedJob() override {
    if (auto down = Down("busy?")) return Fail(*down);
    return clock_.Now() < busy_until;
  }
  Status Remove() override {
    if (auto down = Down("remove")) return Fail(*down);
    removed = true;
    return Status{};
  }
  Status RotateKey() override {
    if (auto down = Down("rotate")) return Fail(*down);
    ++key_generation;
    return Status{};
  }
  int Count(const std::string& what) const {
    int n = 0;
    for (const auto& call : calls) n += call.what == what && call.ok ? 1 : 0;
    return n;
  }
  std::optional<TimePoint> FirstOk(const std::string& what) const {
    for (const auto& call : calls) {
      if (call.what == what && call.ok) return call.at;
    }
    return std::nullopt;
  }

 private:
  std::optional<Error> Down(const std::string& what) {
    const TimePoint now = clock_.Now();
    for (const auto& [from, until] : outages_) {
      if (now >= from && now < until) {
        calls.push_back({now, what, false});
        return MakeError(ErrorCode::kUnavailable, what, "identity endpoint unavailable");
      }
    }
    calls.push_back({now, what, true});
    if (journal != nullptr && what != "busy?") journal->push_back(what);
    return std::nullopt;
  }
  FakeClock& clock_;
  std::vector<std::pair<TimePoint, TimePoint>> outages_;
};

class FakeListener final : public ListenerControl {
 public:
  FakeListener(FakeClock& clock, FakeMailbox& mailbox) : clock_(clock), mailbox_(mailbox) {}
  Duration stop_delay{std::chrono::seconds(2)};
  std::vector<std::pair<TimePoint, std::string>> commands;
  std::vector<std::string>* journal = nullptr;  // shared with FakeAgent::journal

  void Stop() override {
    Record("stop");
    mailbox_.At(clock_.Now() + stop_delay, ListenerEnded{});
  }
  void Pause() override {
    Record("pause");
    mailbox_.At(clock_.Now() + stop_delay, ListenerPaused{});
  }
  void Resume() override { Record("resume"); }
  void Record(const std::string& command) {
    commands.emplace_back(clock_.Now(), command);
    if (journal != nullptr) journal->push_back(command);
  }
  std::optional<TimePoint> When(const std::string& command) const {
    for (const auto& [at, what] : commands) {
      if (what == command) return at;
    }
    return std::nullopt;
  }

 private:
  FakeClock& clock_;
  FakeMailbox& mailbox_;
};

}  // namespace agentboot::lifecycle::testing

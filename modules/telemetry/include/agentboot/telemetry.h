// agentboot::telemetry — what the executable shows the world: text or JSON-lines loggers, a
// metrics registry rendered in Prometheus text format, and the health/metrics HTTP endpoint
// (/healthz, /readyz, /metrics). Only agentboot/ links this module; libraries log through
// base::Logger and report through observer callbacks that the executable turns into metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"

namespace agentboot::telemetry {

enum class LogFormat { kText, kJson };

struct LoggerOptions {
  LogFormat format = LogFormat::kText;
  LogLevel min_level = LogLevel::kInfo;
  bool timestamps = false;  // text format only; JSON lines always carry "time"
};

// Writes one line per event to `out` (which must outlive the logger). Thread-safe: lines are
// never interleaved.
//   text: "agentboot[identity]: token acquired source=imds exp=…"
//   json: {"time":"…","level":"info","source":"identity","msg":"token
//   acquired","source_kind":"imds",…}
class StreamLogger final : public Logger {
 public:
  StreamLogger(std::ostream& out, Clock& clock, LoggerOptions options);
  void Log(LogLevel level, std::string_view source, std::string_view message,
           const std::vector<LogField>& fields) override;

 private:
  Mutex mu_;  // one line at a time on `out`
  std::ostream& out_ GUARDED_BY(mu_);
  Clock& clock_;
  LoggerOptions options_;
};

std::string_view LogLevelName(LogLevel level);

// ---------------------------------------------------------------------------------------------
// Metrics: a small thread-safe registry of counters and gauges, rendered in the Prometheus text
// exposition format 0.0.4. Families are described up front (HELP/TYPE); a sample for a name that
// was never described is rendered without HELP, typed by first use (Increment: counter, Set:
// gauge). Output is deterministic: families by name, series by label set.

enum class MetricType { kCounter, kGauge };

// Label name → value. Values may hold any text; rendering escapes '\\', '"' and newline.
using Labels = std::map<std::string, std::string>;

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers (or re-registers) a family's type and one-line help text. Counter names end in
  // "_total"; units belong in the name ("_seconds").
  void Describe(std::string_view name, MetricType type, std::string_view help);
  // Adds `by` (≥ 0 for counters) to the series, creating it at 0 first.
  void Increment(std::string_view name, const Labels& labels = {}, double by = 1.0);
  void Set(std::string_view name, const Labels& labels, double value);
  void Set(std::string_view name, double value) { Set(name, {}, value); }
  // An enum as a gauge: the series with label_key=current is 1, those for every other value in
  // `all` are 0 (the "state set" idiom, e.g. agentboot_listener_state{state="running"} 1).
  void SetOneOf(std::string_view name, const std::string& label_key,
                const std::vector<std::string>& all, const std::string& current);
  // The current value of one series, or nullopt when it was never touched.
  std::optional<double> Value(std::string_view name, const Labels& labels = {}) const;

  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::optional<MetricType> type;
    std::string help;
    std::map<Labels, double> series;
  };
  mutable Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ GUARDED_BY(mu_);
};

// Content-Type of RenderPrometheus() output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The metric names the run command sets. DescribeAgentbootMetrics registers all of them.
namespace metric {
// gauge, 1 while agentboot runs (absent when it does not).
inline constexpr std::string_view kUp = "agentboot_up";
// gauge with label state (see kListenerStates): 1 for the current state, 0 for the others.
inline constexpr std::string_view kListenerState = "agentboot_listener_state";
inline const std::vector<std::string> kListenerStates = {
    "starting", "running", "backoff", "draining", "updating", "paused", "stopped"};
// counter: listener restarts by the supervisor.
inline constexpr std::string_view kListenerRestarts = "agentboot_listener_restarts_total";
// counter with label result ("succeeded", "failed", "canceled", "abandoned", …).
inline constexpr std::string_view kJobs = "agentboot_jobs_total";
// gauge: how long the last drain took.
inline constexpr std::string_view kDrainDuration = "agentboot_drain_duration_seconds";
// gauge: when the current access token expires (Unix seconds).
inline constexpr std::string_view kTokenExpiry = "agentboot_token_expiry_timestamp_seconds";
// counter: failed attempts to get a token from the identity source.
inline constexpr std::string_view kIdentityFailures = "agentboot_identity_failures_total";
// gauge: when the agent was registered (Unix seconds); age = time() - this.
inline constexpr std::string_view kRegistrationTime = "agentboot_registration_timestamp_seconds";
// gauge: the last successful answer from Azure DevOps (Unix seconds).
inline constexpr std::string_view kLastServerContact =
    "agentboot_last_server_contact_timestamp_seconds";
}  // namespace metric

void DescribeAgentbootMetrics(Metrics& metrics);

// ---------------------------------------------------------------------------------------------
// Health: what /healthz and /readyz answer. The run command feeds the model from its own loop
// and server polls, so a probe never causes a server call.

struct HealthState {
  bool agentboot_alive = true;              // false once the run loop has stopped or given up
  bool listener_alive = false;              // the listener runs or is being restarted within policy
  std::string listener_state = "starting";  // one of metric::kListenerStates
  // As last seen on the server.
  bool registered = false;
  bool enabled = false;
  bool online = false;
  std::optional<TimePoint> last_server_contact;  // last successful server call
  std::vector<std::string> reasons;              // extra "why not ready" set by the run command
};

struct HealthOptions {
  // /readyz fails when the last successful server contact is older than this.
  Duration staleness_limit = std::chrono::minutes(5);
};

struct ProbeResult {
  bool ok = false;
  nlohmann::json body;  // {"status":"ok"|"unhealthy"|"not ready", "reasons":[…], …}
};

// Thread-safe; `clock` must outlive the model.
class HealthModel {
 public:
  HealthModel(Clock& clock, HealthOptions options = {});
  HealthModel(const HealthModel&) = delete;
  HealthModel& operator=(const HealthModel&) = delete;

  void SetAgentbootAlive(bool alive);
  void SetListener(std::string state, bool alive);
  // The agent as the server reported it; also counts as a successful server contact now.
  void SetServerView(bool registered, bool enabled, bool online);
  // A successful server call that did not report the agent's state.
  void RecordServerContact();
  // Replaces the run command's own "why not ready" reasons (empty clears them).
  void SetReasons(std::vector<std::string> reasons);
  // Asked at every probe while the listener counts as alive: a non-empty answer says why it
  // is not serving after all (e.g. stopped with SIGSTOP), which fails /healthz and /readyz.
  // Must be quick (a /proc read) and thread-safe.
  void SetListenerCheck(std::function<std::string()> check);

  HealthState Snapshot() const;
  // ok while agentboot and the listener are alive.
  ProbeResult Healthz() const;
  // ok while alive, registered, enabled, online and the server was reached recently.
  ProbeResult Readyz() const;

 private:
  Clock& clock_;
  HealthOptions options_;
  mutable Mutex mu_;
  HealthState state_ GUARDED_BY(mu_);
  std::function<std::string()> listener_check_ GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------------
// HealthServer: a small poll(2) HTTP server (one thread, a 2 s deadline per connection, at most
// 16 connections per peer, Connection: close) answering GET /healthz, /readyz (200 or 503 with a
// JSON body) and /metrics (200, Prometheus text). Other paths are 404, other methods 405. The model
// and the metrics must outlive the server.

class HealthServer {
 public:
  // `listen` is "ADDR:PORT", ":PORT" (all IPv4 interfaces) or "[IPv6]:PORT"; port 0 picks a
  // free one. kInvalidArgument for a malformed or non-local address, kUnavailable when the port
  // is taken.
  [[nodiscard]] static Result<std::unique_ptr<HealthServer>> Start(const std::string& listen,
                                                                   HealthModel& model,
                                                                   Metrics& metrics);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  uint16_t port() const;
  // Stops accepting and waits for requests in flight. Idempotent; the destructor calls it.
  void Stop();

  struct Impl;

 private:
  explicit HealthServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace agentboot::telemetry

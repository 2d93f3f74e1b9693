// agentboot::imds — Azure Instance Metadata Service: the VM's compute metadata and Scheduled Events
// (identity-contract §7). Parsing and event tracking are pure; ImdsClient is the only part that
// does I/O, through an http::Transport.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agentboot/base.h"
#include "agentboot/http.h"

namespace agentboot::imds {

// AZURE_POD_IDENTITY_AUTHORITY_HOST when set and non-empty, else "http://169.254.169.254": the one
// rule for the IMDS base URL, also used by the identity module's IMDS token source, so the
// simulator serves both.
std::string ImdsBaseUrl(const Environment& env);

// ---------------------------------------------------------------------------------------------
// Scheduled Events (§7.2).

// One entry of the Events array. Fields an older api-version does not send are left empty.
struct ScheduledEvent {
  std::string id;                       // EventId (an upper-case GUID on Azure)
  std::string type;                     // EventType: Freeze, Reboot, Redeploy, Preempt, Terminate
  std::string status;                   // EventStatus: Scheduled or Started
  std::string resource_type;            // ResourceType: VirtualMachine
  std::string description;              // Description (2019-04-01 and later)
  std::string source;                   // EventSource: Platform or User (2019-08-01 and later)
  std::vector<std::string> resources;   // names of the VMs the event applies to
  std::optional<TimePoint> not_before;  // nullopt once Started (NotBefore "")
  int64_t duration_seconds = -1;        // DurationInSeconds: -1 unknown, 0 no impact
};

struct ScheduledEventsDocument {
  int64_t incarnation = 0;  // DocumentIncarnation: changes whenever the events change
  std::vector<ScheduledEvent> events;
};

// Parses a Scheduled Events answer. Unknown fields are ignored and missing optional fields keep
// their defaults. NotBefore is RFC 1123 GMT ("Mon, 11 Apr 2026 22:26:58 GMT"; the weekday is not
// checked) or "". DocumentIncarnation and DurationInSeconds are numbers; numeric strings are
// accepted too. kInvalidArgument when the body is not a JSON object, has no Events array, an
// event has no EventId or EventType, or a field has the wrong type or format.
[[nodiscard]] Result<ScheduledEventsDocument> ParseScheduledEvents(std::string_view body);

// True when the event's Resources name `vm_name` (case-insensitive). Events for an availability
// set or placement group are delivered to every member and list all of them (§7.2).
bool AppliesTo(const ScheduledEvent& event, std::string_view vm_name);

// True for Terminate and Preempt (case-insensitive): the VM goes away, so the agent must drain.
// Reboot, Redeploy, Freeze and unknown types do not require a drain.
bool RequiresDrain(const ScheduledEvent& event);

// Remembers which events were already reported, so that a caller polling once a second acts on
// each event once. Pure: no I/O, no clock. Not thread-safe (one poller owns it).
class ScheduledEventTracker {
 public:
  struct Observation {
    // New events that apply to this VM, require a drain and are Scheduled or Started.
    std::vector<ScheduledEvent> drain;
    // Every other new event that applies to this VM (to be logged once).
    std::vector<ScheduledEvent> notices;
  };

  // The events of `document` not seen in earlier observations (by EventId, case-insensitive).
  // An event is reported at most once, even if its status changes later; events missing from
  // `document` are forgotten. Events for other VMs are neither drain nor notices.
  Observation Observe(const ScheduledEventsDocument& document, std::string_view vm_name);

 private:
  std::set<std::string> seen_;  // lower-case EventIds of the last document
};

// ---------------------------------------------------------------------------------------------
// The IMDS client. Every request carries `Metadata: true`, bypasses proxies and times out after
// 5 s. Errors: a transport failure (connection refused, timeout) is kUnavailable (not an Azure
// VM, or IMDS is blocked); 400 is kInvalidArgument with IMDS's message; 404, 410, 429 and 5xx are
// kUnavailable and retryable (this class does not retry); other statuses are kInternal; an answer
// that is not the expected JSON is kInvalidArgument. Errors carry the HTTP status when there was
// one. Holds no state besides its configuration: safe for concurrent use when the transport is.
class ImdsClient {
 public:
  // `transport` must outlive the client. `base_url` as from ImdsBaseUrl. No I/O.
  ImdsClient(http::Transport& transport, std::string base_url);

  // GET /metadata/instance/compute?api-version=2021-02-01: the compute object (all primitives
  // are strings, §7.1).
  [[nodiscard]] Result<nlohmann::json> Compute();

  // compute.name, trimmed. kNotFound when it is missing or empty.
  [[nodiscard]] Result<std::string> VmName();

  // GET /metadata/scheduledevents?api-version=2020-07-01, parsed by ParseScheduledEvents.
  [[nodiscard]] Result<ScheduledEventsDocument> GetScheduledEvents();

  // POST /metadata/scheduledevents?api-version=2020-07-01 with
  // {"StartRequests":[{"EventId":"<id>"},...]}: lets the events proceed (for every VM in their
  // Resources). IMDS answers 200 even for events already started; an unknown id is a 400
  // (kInvalidArgument). An empty list succeeds without a request.
  [[nodiscard]] Status AcknowledgeEvents(const std::vector<std::string>& event_ids);

 private:
  http::Request MakeRequest(std::string method, std::string_view path_and_query) const;

  http::Transport& transport_;
  std::string base_url_;
};

// ---------------------------------------------------------------------------------------------
// The Scheduled Events poll (§7.2).

// How often `run` polls. The documentation recommends polling once a second, but agentboot acts
// only on Terminate and Preempt, whose minimum notices are 5 min (configurable up to 15) and 30 s
// (identity-contract §7.2; learn.microsoft.com/azure/virtual-machines/linux/scheduled-events,
// "Event scheduling"). A 5 s poll still sees a Preempt with at least 25 s of its notice left (the
// drain stops the listener and removes the agent well within that) and a Terminate with 4 min
// 55 s, while an idle host makes 12 requests a minute instead of 60. The poll keeps its
// connection alive between requests (App::polling_transport); 5 s is below the simulator's 10 s
// keep-alive timeout. IMDS's own is not documented: if it closes sooner, each poll reconnects.
inline constexpr Duration kScheduledEventsPollInterval = std::chrono::seconds(5);

// Polls IMDS and reports each new event of this VM once: Reboot, Redeploy, Freeze and unknown
// types are logged, Terminate and Preempt are logged and handed to `on_drain`. I/O only through
// `client`; time and logging through `env`. Not thread-safe (one thread runs it).
class ScheduledEventsPoller {
 public:
  using OnDrain = std::function<void(const ScheduledEvent&)>;
  // `env` and `client` must outlive the poller. No I/O.
  ScheduledEventsPoller(Env& env, ImdsClient& client, OnDrain on_drain);

  // One poll: the VM's name (until read once), then the events. A failure is logged once per
  // outage (a warning), then the poll gives up until the next one.
  void PollOnce();

  // Polls at once, then every `interval` on env.clock until `wait` says to stop. `wait(d)` waits
  // for at most `d` (0 when a poll is already due) and returns false to stop. Each poll is due
  // `interval` after the previous one was due; a poll that overran its slot is followed by the
  // next one at once, and the slots it missed are not caught up.
  void Run(Duration interval, const std::function<bool(Duration)>& wait);

 private:
  Env& env_;
  ImdsClient& client_;
  OnDrain on_drain_;
  ScheduledEventTracker tracker_;
  std::string vm_name_;
  bool reported_failure_ = false;
};

}  // namespace agentboot::imds

// The status file (lifecycle_status.h): its JSON form and the writer.
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "agentboot/lifecycle_status.h"

namespace agentboot::lifecycle {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kSource = "status";

ordered_json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? ordered_json(FormatUtc(*t)) : ordered_json(nullptr);
}

// "2026-11-29T12:00:00Z" (FormatUtc's form) back to a time point.
std::optional<TimePoint> ParseUtc(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  std::tm tm{};
  char zulu = 0;
  if (std::sscanf(value.get<std::string>().c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &zulu) != 7 ||
      zulu != 'Z') {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return FromUnixSeconds(static_cast<int64_t>(::timegm(&tm)));
}

ordered_json DrainJson(const DrainStatus& drain) {
  return {{"state", DrainStateName(drain.state)},
          {"reason", drain.reason},
          {"step", drain.step},
          {"deadline", TimeOrNull(drain.deadline)},
          {"finish_by", TimeOrNull(drain.finish_by)},
          {"ok", drain.ok},
          {"cleanup", drain.cleanup},
          {"job_cancelled", drain.job_cancelled},
          {"error", drain.error}};
}

ordered_json RotationJson(const RotationStatus& rotation) {
  return {{"attempt", rotation.attempt},         {"step", rotation.step},
          {"generation", rotation.generation},   {"finished_attempt", rotation.finished_attempt},
          {"last_result", rotation.last_result}, {"last_error", rotation.last_error}};
}

template <typename Enum, size_t N>
std::optional<Enum> EnumNamed(const std::string& name, const Enum (&values)[N],
                              std::string_view (*name_of)(Enum) noexcept) {
  for (Enum value : values) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}

constexpr RunPhase kPhases[] = {RunPhase::kStarting, RunPhase::kRunning,  RunPhase::kRotating,
                                RunPhase::kDraining, RunPhase::kStopping, RunPhase::kStopped};
constexpr DrainState kDrainStates[] = {DrainState::kNone, DrainState::kDraining,
                                       DrainState::kFinished};

void ReadDrain(const nlohmann::json& j, DrainStatus& drain) {
  drain.state =
      EnumNamed(j.value("state", ""), kDrainStates, DrainStateName).value_or(DrainState::kNone);
  drain.reason = j.value("reason", "");
  drain.step = j.value("step", "");
  if (j.contains("deadline")) drain.deadline = ParseUtc(j["deadline"]);
  if (j.contains("finish_by")) drain.finish_by = ParseUtc(j["finish_by"]);
  drain.ok = j.value("ok", false);
  drain.cleanup = j.value("cleanup", "");
  drain.job_cancelled = j.value("job_cancelled", false);
  drain.error = j.value("error", "");
}

void ReadRotation(const nlohmann::json& j, RotationStatus& rotation) {
  rotation.attempt = j.value("attempt", 0);
  rotation.step = j.value("step", "");
  rotation.generation = j.value("generation", 0);
  rotation.finished_attempt = j.value("finished_attempt", 0);
  rotation.last_result = j.value("last_result", "");
  rotation.last_error = j.value("last_error", "");
}

void ReadListener(const nlohmann::json& j, ListenerStatus& listener) {
  listener.pid = j.value("pid", 0);
  listener.phase = j.value("phase", "");
  listener.launches = j.value("launches", 0);
  listener.key_generation = j.value("key_generation", -1);
}

}  // namespace

std::string_view RunPhaseName(RunPhase phase) noexcept {
  switch (phase) {
    case RunPhase::kStarting:
      return "starting";
    case RunPhase::kRunning:
      return "running";
    case RunPhase::kRotating:
      return "rotating";
    case RunPhase::kDraining:
      return "draining";
    case RunPhase::kStopping:
      return "stopping";
    case RunPhase::kStopped:
      return "stopped";
  }
  return "unknown";
}

std::string_view DrainStateName(DrainState state) noexcept {
  switch (state) {
    case DrainState::kNone:
      return "none";
    case DrainState::kDraining:
      return "draining";
    case DrainState::kFinished:
      return "finished";
  }
  return "unknown";
}

std::string StatusPath(const std::string& agent_dir) {
  return JoinPath(agent_dir.empty() ? std::string(".") : agent_dir, kStatusFileName);
}

std::string StatusJson(const RunStatus& status) {
  const ordered_json j = {{"version", status.version},
                          {"phase", RunPhaseName(status.phase)},
                          {"agentboot_pid", status.agentboot_pid},
                          {"updated_at", FormatUtc(status.updated_at)},
                          {"listener",
                           {{"pid", status.listener.pid},
                            {"phase", status.listener.phase},
                            {"launches", status.listener.launches},
                            {"key_generation", status.listener.key_generation}}},
                          {"drain", DrainJson(status.drain)},
                          {"rotation", RotationJson(status.rotation)}};
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<RunStatus> ParseStatus(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("version") ||
      !j["version"].is_number_integer() || j["version"].get<int>() != kStatusVersion) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kStatusFileName),
                "not a status of version " + std::to_string(kStatusVersion));
  }
  try {
    RunStatus status;
    status.phase =
        EnumNamed(j.value("phase", ""), kPhases, RunPhaseName).value_or(RunPhase::kStarting);
    status.agentboot_pid = j.value("agentboot_pid", 0);
    status.updated_at = ParseUtc(j.value("updated_at", nlohmann::json())).value_or(TimePoint{});
    if (j.contains("listener")) ReadListener(j["listener"], status.listener);
    if (j.contains("drain")) ReadDrain(j["drain"], status.drain);
    if (j.contains("rotation")) ReadRotation(j["rotation"], status.rotation);
    return status;
  } catch (const nlohmann::json::exception& e) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kStatusFileName), e.what());
  }
}

RunPhase DerivePhase(const RunStatus& status, std::optional<RunPhase> closing) noexcept {
  if (closing) return *closing;
  if (status.drain.state == DrainState::kDraining) return RunPhase::kDraining;
  if (status.drain.state == DrainState::kFinished) return RunPhase::kStopping;
  if (!status.rotation.step.empty()) return RunPhase::kRotating;
  if (status.listener.phase == "done") return RunPhase::kStopping;
  return status.listener.launches > 0 ? RunPhase::kRunning : RunPhase::kStarting;
}

StatusWriter::StatusWriter(Env& env, std::string agent_dir, int agentboot_pid)
    : env_(env), path_(StatusPath(agent_dir)) {
  status_.agentboot_pid = agentboot_pid;
}

Status StatusWriter::Update(const std::function<void(RunStatus&)>& change) {
  MutexLock lock(mu_);
  change(status_);
  return WriteLocked();
}

Status StatusWriter::MarkStopping() {
  MutexLock lock(mu_);
  if (closing_ != RunPhase::kStopped) closing_ = RunPhase::kStopping;
  return WriteLocked();
}

Status StatusWriter::MarkStopped() {
  MutexLock lock(mu_);
  closing_ = RunPhase::kStopped;
  return WriteLocked();
}

RunStatus StatusWriter::Current() const {
  MutexLock lock(mu_);
  return status_;
}

Status StatusWriter::WriteLocked() {
  status_.phase = DerivePhase(status_, closing_);
  RunStatus candidate = status_;
  candidate.updated_at = TimePoint{};
  const std::string content = StatusJson(candidate);
  if (content == written_) return {};  // nothing changed but the time
  status_.updated_at = env_.clock.Now();
  auto written = env_.fs.WriteFileAtomic(path_, StatusJson(status_), 0644);
  if (!written) {
    if (!failing_) {
      env_.log.Log(LogLevel::kWarning, kSource,
                   "cannot write the status file; `agentboot drain` and `rotate` cannot see "
                   "this run's progress",
                   {{"error", written.error().ToString()}});
    }
    failing_ = true;
    return written;
  }
  failing_ = false;
  written_ = content;
  return {};
}

}  // namespace agentboot::lifecycle

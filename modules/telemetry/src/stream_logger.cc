#include <nlohmann/json.hpp>

#include "agentboot/telemetry.h"

namespace agentboot::telemetry {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

StreamLogger::StreamLogger(std::ostream& out, Clock& clock, LoggerOptions options)
    : out_(out), clock_(clock), options_(options) {}

namespace {

// Values with spaces or quotes are quoted so a line stays machine-splittable.
std::string QuoteIfNeeded(const std::string& value) {
  if (!value.empty() && value.find_first_of(" \"=\t\n") == std::string::npos) return value;
  // Never throws: invalid UTF-8 in a logged value is replaced, not an abort (review L2).
  return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A field may not replace the line's own keys (`"source":"workload"` would hide the module that
// logged): such a field is written as "field.<key>".
std::string JsonFieldKey(const std::string& key) {
  for (std::string_view reserved : {"time", "level", "source", "msg", "message"}) {
    if (key == reserved) return "field." + key;
  }
  return key;
}

}  // namespace

void StreamLogger::Log(LogLevel level, std::string_view source, std::string_view message,
                       const std::vector<LogField>& fields) {
  if (level < options_.min_level) return;
  std::string line;
  if (options_.format == LogFormat::kJson) {
    nlohmann::ordered_json event;
    event["time"] = FormatUtc(clock_.Now());
    event["level"] = LogLevelName(level);
    event["source"] = source;
    event["msg"] = message;
    for (const auto& field : fields) event[JsonFieldKey(field.key)] = field.value;
    line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    if (options_.timestamps) line = FormatUtc(clock_.Now()) + " ";
    line += "agentboot[" + std::string(source) + "]: ";
    if (level == LogLevel::kWarning) line += "warning: ";
    if (level == LogLevel::kError) line += "error: ";
    line += message;
    for (const auto& field : fields) line += " " + field.key + "=" + QuoteIfNeeded(field.value);
  }
  MutexLock lock(mu_);
  out_ << line << '\n' << std::flush;
}

}  // namespace agentboot::telemetry

// agentboot::telemetry — what the executable shows the world: text or JSON-lines loggers. (The
// health and metrics endpoint joins this module with the drain/health work.) Only agentboot/
// links this module; libraries log through base::Logger.
#pragma once

#include <memory>
#include <mutex>
#include <ostream>
#include <string>

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
  std::ostream& out_;
  Clock& clock_;
  LoggerOptions options_;
  std::mutex mu_;
};

std::string_view LogLevelName(LogLevel level);

}  // namespace agentboot::telemetry

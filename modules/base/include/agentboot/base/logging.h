// agentboot::base — The Logger seam: structured events. Included through agentboot/base.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Logger: structured events. Modules log through this; the executable chooses text or JSON lines.
// Never pass a token or key: fields are printed as given.

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct LogField {
  std::string key;
  std::string value;
};

class Logger {
 public:
  Logger() = default;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  virtual ~Logger() = default;
  // `source` names the module ("identity", "devops", "listener"); `message` is one human sentence.
  virtual void Log(LogLevel level, std::string_view source, std::string_view message,
                   const std::vector<LogField>& fields = {}) = 0;
};

}  // namespace agentboot

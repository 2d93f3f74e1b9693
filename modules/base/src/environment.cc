#include <mutex>
#include <random>

#include "agentboot/base.h"

#include <unistd.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX global

namespace agentboot {
namespace {

class SnapshotEnvironment final : public Environment {
 public:
  SnapshotEnvironment() {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      const size_t eq = text.find('=');
      if (eq == std::string_view::npos) continue;
      vars_.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  std::optional<std::string> Get(std::string_view name) const override {
    const auto it = vars_.find(std::string(name));
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, std::string> All() const override { return vars_; }

 private:
  std::map<std::string, std::string> vars_;
};

// Locked: the Azure DevOps client draws its retry jitter from whichever thread makes a call
// (the supervisor's, the registration check's, the health poller's).
class OsRandom final : public Random {
 public:
  OsRandom() : engine_(std::random_device{}()) {}
  double Uniform(double low, double high) override {
    std::uniform_real_distribution<double> distribution(low, high);
    MutexLock lock(mu_);
    return distribution(engine_);
  }

 private:
  Mutex mu_;
  std::mt19937_64 engine_ GUARDED_BY(mu_);
};

class Silent final : public Logger {
 public:
  void Log(LogLevel, std::string_view, std::string_view, const std::vector<LogField>&) override {}
};

}  // namespace

Environment& ProcessEnvironment() {
  static SnapshotEnvironment environment;
  return environment;
}

Random& SystemRandom() {
  thread_local OsRandom random;
  return random;
}

Logger& NullLogger() {
  static Silent logger;
  return logger;
}

Env& Env::Default() {
  static Env env{SystemClock(), PosixFileSystem(), ProcessEnvironment(),
                 NullLogger(),  SystemRandom(),    PosixProcessRunner()};
  return env;
}

}  // namespace agentboot

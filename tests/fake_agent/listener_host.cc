#include "listener_host.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace agentboot::fake_agent {

namespace fs = std::filesystem;

std::string AgentRoot() {
  std::error_code ec;
  const fs::path self = fs::canonical("/proc/self/exe", ec);
  if (ec) return ".";
  return self.parent_path().parent_path().string();
}

std::string DiagDirectory(const std::string& root) {
  if (auto knob = ProcessEnvironment().GetNonEmpty("AGENT_DIAGLOGPATH")) return *knob;
  return root + "/_diag";
}

void CreateTraceLog(const std::string& root) {
  const std::string dir = DiagDirectory(root);
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32] = {};
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &utc);
  const fs::path log = fs::path(dir) / ("Agent_" + std::string(stamp) + "-utc.log");
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(log, std::ios::app);
  if (ec || !out) {
    std::cerr << "Unhandled exception. System.UnauthorizedAccessException: Access to the path '"
              << log.string() << "' is denied." << std::endl;
    std::abort();
  }
  out << "[" << stamp << " INFO HostContext] Well known directory 'Root': '" << root << "'\n";
}

namespace {
bool started_as_service = false;
}  // namespace

void SetStartedAsService(bool service) { started_as_service = service; }
bool StartedAsService() { return started_as_service; }

int RecordConfigure(const std::string& root, const std::vector<std::string>& args) {
  std::ofstream out(root + "/.fake-configure", std::ios::trunc);
  std::error_code ec;
  out << "uid=" << getuid() << "\ncwd=" << fs::current_path(ec).string() << "\nargs=";
  for (size_t i = 0; i < args.size(); ++i) {
    const bool secret = i > 0 && EqualsIgnoreCase(args[i - 1], "--token");
    out << (i ? " " : "") << (secret ? "***" : args[i]);
  }
  out << "\ntoken_in_env=" << (ProcessEnvironment().Get("VSTS_AGENT_INPUT_TOKEN") ? "1" : "0")
      << "\n";
  std::cerr << "This fake Agent.Listener does not implement " << args[0] << ".\n";
  return 1;
}

Duration KnobMillis(const char* name, int64_t fallback) {
  std::optional<std::string> text = ProcessEnvironment().GetNonEmpty(name);
  return std::chrono::milliseconds(text ? ParseInt64(*text).value_or(fallback) : fallback);
}

}  // namespace agentboot::fake_agent

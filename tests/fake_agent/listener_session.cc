#include "listener_session.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "listener_host.h"
#include "listener_version.h"
#include <unistd.h>

extern char** environ;

namespace agentboot::fake_agent {
namespace {

using nlohmann::json;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "AGENT";
  return name;
}

// EnvironmentCapabilitiesProvider.cs:22-38 plus VSO_AGENT_IGNORE, compared Ordinal on Linux.
std::set<std::string> IgnoredVariables() {
  std::set<std::string> ignored = {
      "comp_wordbreaks",      "ls_colors", "TERM",         "TERM_PROGRAM",
      "TERM_PROGRAM_VERSION", "SHLVL",     "PSMODULEPATH", "SYSTEM_ACCESSTOKEN"};
  const std::string extra = ProcessEnvironment().Get("VSO_AGENT_IGNORE").value_or("");
  size_t start = 0;
  while (start <= extra.size()) {
    size_t comma = extra.find(',', start);
    if (comma == std::string::npos) comma = extra.size();
    const std::string name = Trim(extra.substr(start, comma - start));
    if (!name.empty()) ignored.insert(name);
    start = comma + 1;
  }
  return ignored;
}

void AddUserCapabilities(const std::string& root, json& capabilities) {
  std::ifstream file(root + "/.capabilities");
  std::string line;
  while (std::getline(file, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    capabilities[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

}  // namespace

std::string ExceptionType(const HttpAnswer& answer) {
  json body = json::parse(answer.body, nullptr, false);
  if (!body.is_object()) return "";
  return body.value("typeKey", "");
}

json ScanCapabilities(const std::string& root, const AgentSettings& settings) {
  json capabilities = json::object();
  const std::set<std::string> ignored = IgnoredVariables();
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string name(text.substr(0, eq));
    const std::string value(text.substr(eq + 1));
    if (ignored.count(name) != 0 || value.size() >= 1024) continue;
    capabilities[name] = value;
  }
  capabilities["Agent.Name"] = settings.agent_name;
  capabilities["Agent.OS"] = "Linux";
  capabilities["Agent.OSArchitecture"] = "X64";
  capabilities["Agent.Version"] = ListenerVersion();
  capabilities["Agent.ComputerName"] = HostName();
  capabilities["Agent.HomeDirectory"] = root;
  // AgentCapabilitiesProvider.cs:37: False when started as a service.
  capabilities["InteractiveSession"] = StartedAsService() ? "False" : "True";
  AddUserCapabilities(root, capabilities);
  return capabilities;
}

SessionTiming SessionTimingFromKnobs() {
  return {KnobMillis("FAKE_AGENT_SESSION_RETRY_MS", 30'000),
          KnobMillis("FAKE_AGENT_SESSION_CONFLICT_LIMIT_MS", 240'000)};
}

namespace {

enum class Attempt { kCreated, kRetry, kConflict, kTerminate };

struct AttemptResult {
  Attempt kind = Attempt::kRetry;
  std::string text;  // the session id, or the error's message
};

AttemptResult TryCreateSession(ServerConnection& server, const json& body) {
  ServerConnection::Outcome connected = server.Connect();
  if (connected.verdict == ServerConnection::Verdict::kTerminate) {
    return {Attempt::kTerminate, connected.message};
  }
  if (connected.verdict == ServerConnection::Verdict::kRetry) {
    return {Attempt::kRetry, connected.message};
  }
  const std::string path =
      "_apis/distributedtask/pools/" + std::to_string(server.settings().pool_id) + "/sessions";
  Result<HttpAnswer> answer = server.Call("POST", path, body);
  if (!answer) return {Attempt::kRetry, answer.error().detail};
  if (answer->status == 200 || answer->status == 201) {
    json session = json::parse(answer->body, nullptr, false);
    if (session.is_object() && session.value("sessionId", "") != "") {
      return {Attempt::kCreated, session["sessionId"].get<std::string>()};
    }
    return {Attempt::kRetry, "The answer has no sessionId."};
  }
  const std::string type = ExceptionType(*answer);
  if (type == "TaskAgentSessionConflictException") return {Attempt::kConflict, type};
  if (type == "TaskAgentNotFoundException") {
    std::cerr << "The agent no longer exists on the server. Please reconfigure the agent.\n";
    return {Attempt::kTerminate, type};
  }
  if (type == "TaskAgentPoolNotFoundException" || type == "AccessDeniedException" ||
      answer->status == 401) {
    return {Attempt::kTerminate, type + " (HTTP " + std::to_string(answer->status) + ")"};
  }
  return {Attempt::kRetry, "HTTP " + std::to_string(answer->status) + " " + type};
}

}  // namespace

SessionOutcome CreateSession(ServerConnection& server, const std::string& root,
                             const SessionTiming& timing) {
  const AgentSettings& settings = server.settings();
  std::cout << "Scanning for tool capabilities." << std::endl;
  const json body = {{"sessionId", "00000000-0000-0000-0000-000000000000"},
                     {"ownerName", HostName()},
                     {"agent",
                      {{"id", settings.agent_id},
                       {"name", settings.agent_name},
                       {"version", ListenerVersion()},
                       {"osDescription", "Linux"}}},
                     {"systemCapabilities", ScanCapabilities(root, settings)}};
  std::cout << "Connecting to the server." << std::endl;
  Duration conflict_elapsed{0};
  bool reported = false;
  for (;;) {
    AttemptResult attempt = TryCreateSession(server, body);
    switch (attempt.kind) {
      case Attempt::kCreated:
        if (reported) std::cout << FormatUtc(SystemClock().Now()) << ": Agent reconnected.\n";
        return {attempt.text, kSuccess};
      case Attempt::kTerminate:
        std::cerr << "Failed to create session. " << attempt.text << "\n";
        return {"", kTerminated};
      case Attempt::kConflict:
        std::cerr << "A session for this agent already exists." << std::endl;
        conflict_elapsed += timing.retry_interval;
        if (conflict_elapsed >= timing.conflict_limit) {
          std::cerr
              << "Stop retry on SessionConflictException after retried for "
              << std::chrono::duration_cast<std::chrono::seconds>(timing.conflict_limit).count()
              << " seconds.\n";
          return {"", kTerminated};
        }
        break;
      case Attempt::kRetry:
        if (!reported) {
          std::cerr << FormatUtc(SystemClock().Now()) << ": Agent connect error: " << attempt.text
                    << ". Retrying until reconnected." << std::endl;
          reported = true;
        }
        break;
    }
    std::this_thread::sleep_for(timing.retry_interval);
  }
}

void DeleteSession(ServerConnection& server, const std::string& session_id) {
  if (session_id.empty()) return;
  Result<HttpAnswer> answer = server.Call("DELETE", "_apis/distributedtask/pools/" +
                                                        std::to_string(server.settings().pool_id) +
                                                        "/sessions/" + session_id);
  if (!answer) std::cerr << "Failed to delete the session: " << answer.error().ToString() << "\n";
}

}  // namespace agentboot::fake_agent

// What `register`, `unregister` and `run` share: their flags (compatible with Microsoft's Docker
// start.sh: AZP_URL, AZP_POOL, AZP_AGENT_NAME, AZP_WORK) and the steps built from them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agentboot/agent.h"
#include "agentboot/devops.h"

#include "app.h"
#include "secure_start.h"

namespace agentboot::cli {

// How the agent is registered (--registrar).
enum class Registrar { kNative, kAgent };  // REST calls; the agent's own config.sh
// When Azure Scheduled Events drain the agent (--scheduled-events).
enum class ScheduledEventsMode { kAuto, kOn, kOff };  // auto: only with the IMDS identity

// Makes an option of one of these enums take exactly the given words (shown in --help in this
// order) and map them to the enum: the only place the words are read.
template <typename Enum>
CLI::Option* Choices(CLI::Option* option,
                     const std::vector<std::pair<std::string, Enum>>& choices) {
  std::vector<std::string> words;
  for (const auto& choice : choices) words.push_back(choice.first);
  // transform() runs before the validators added earlier: the words are checked first (so the
  // enum's numbers are not accepted), then mapped.
  return option->transform(CLI::CheckedTransformer(choices).description(""))
      ->transform(CLI::IsMember(words))
      ->type_name("TEXT");
}
const std::vector<std::pair<std::string, Registrar>>& RegistrarChoices();
const std::vector<std::pair<std::string, ScheduledEventsMode>>& ScheduledEventsChoices();

struct RegisterFlags {
  std::string url;
  std::string pool = "Default";
  std::string agent_name;
  std::string work = "_work";
  std::string agent_dir = ".";
  std::string agent_version;
  Registrar registrar = Registrar::kNative;
  std::vector<std::string> capabilities;
  bool replace = false;
  bool placeholder = false;
  bool force = false;
  SecurityFlags security;  // --allow-insecure-dir, --allow-insecure-url
};

struct RunFlags : RegisterFlags {
  bool once = false;
  std::string agent_package;  // local tarball or URL
  std::string agent_sha256;   // expected hash of --agent-package
  std::string cache_dir;
  std::string run_as;
  int stop_timeout_seconds = 120;
  int max_restarts = 5;              // within 10 minutes, then the crash loop ends the run
  double restart_delay_seconds = 1;  // first restart after a crash; doubles up to 60 s
  std::string health_listen;         // ADDR:PORT of /healthz, /readyz, /metrics; empty: off
  // Drain (SIGTERM, `agentboot drain`, Azure Scheduled Events) and key rotation.
  int drain_timeout_seconds = 600;  // from the stop request to the SIGINT
  double drain_poll_seconds = 5;    // "is a job still assigned?" while draining
  bool keep_registration = false;   // re-enable after a drain instead of deleting
  ScheduledEventsMode scheduled_events = ScheduledEventsMode::kAuto;
  std::string rotate_key_every;  // "30d"; empty: only on request
  std::string idle_timeout;      // "30m": drain after that long without a job; empty: off
  std::vector<std::string> env;  // --env NAME[=VALUE] for the listener (listener_env.h)
};

// --drain-timeout, --keep-registration, --scheduled-events, --rotate-key-every, ...
void AddLifecycleOptions(CLI::App& command, RunFlags& flags);

// --url, --pool, --agent-name, --agent-dir.
void AddConnectionOptions(CLI::App& command, RegisterFlags& flags);
// --work, --replace, --capability (register and run).
void AddRegistrationOptions(CLI::App& command, RegisterFlags& flags);

// --capability name=value pairs; kInvalidArgument (with advice) for a malformed one. Checked
// before the first network call and again when the registration options are built.
[[nodiscard]] Result<std::map<std::string, std::string>> ParseCapabilities(
    const std::vector<std::string>& list);

devops::ClientOptions ClientOptionsFor(const std::string& url);

// Prints the error and returns its exit code; a token problem is an identity exit code.
int FailedStage(const Error& error);

// Validated registration options; `version` is the listener's real version.
[[nodiscard]] Result<agent::RegisterOptions> RegisterOptionsFrom(App& app,
                                                                 const RegisterFlags& flags,
                                                                 std::string version);

// The listener to run: pre-baked, cached, local or downloaded (run only).
[[nodiscard]] Result<agent::PreparedAgent> PrepareListener(App& app, devops::Client& client,
                                                           const RunFlags& flags);

int RunAgent(App& app, const RunFlags& flags);

}  // namespace agentboot::cli

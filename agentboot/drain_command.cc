// `agentboot drain` and `agentboot rotate`: ask the agentboot that runs an agent root (found
// through its run lock) to drain or to rotate its key with a signal (SIGTERM, SIGUSR1: what
// `docker stop` and `kill` can send too), and learn the outcome from its status file
// (<agent-dir>/.agentboot.status, lifecycle_status.h), never from key material; with no
// agentboot running, do the server-side part here.
#include <csignal>
#include <iostream>

#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/lifecycle.h"
#include "agentboot/lifecycle_status.h"

#include "commands.h"
#include "exit_codes.h"
#include "run_flags.h"
#include "run_lifecycle.h"
#include "run_lock.h"
#include "secure_start.h"
#include <signal.h>

namespace agentboot::cli {
namespace {

struct DrainFlags {
  std::string agent_dir = ".";
  int drain_timeout_seconds = 600;
  bool keep_registration = false;
  int wait_seconds = 0;  // 0: long enough for the drain, the stop and the cleanup
  std::string url;       // --url / AZP_URL: when set, .agent must name this organization
  SecurityFlags security;
};

// The agentboot to signal, verified (security-review M2), or a refusal to print.
Result<std::optional<int>> RunningToSignal(App& app, const DrainFlags& flags) {
  // The directory may still belong to the --run-as user of an older release: nothing is run or
  // trusted from it on this path (the pid is checked against the lock holder and /proc).
  if (auto dir = CheckDirectoryFor(app, flags.agent_dir, {std::nullopt, true}, flags.security);
      !dir) {
    return Fail(dir.error());
  }
  return AgentbootToSignal(app.env().fs, flags.agent_dir);
}

// Until the status file tells the running agentboot's own drain deadline: ours, plus its stop
// and cleanup time (or --wait, which is never moved).
Duration WaitBudget(const DrainFlags& flags) {
  if (flags.wait_seconds > 0) return std::chrono::seconds(flags.wait_seconds);
  return std::chrono::seconds(flags.drain_timeout_seconds + 600);
}

// The running agentboot's status file, read only when agentboot may trust it (a regular file of
// root or its own user that nobody else can write); nullopt when absent, untrusted or partial.
lifecycle::StatusReader StatusOf(const std::string& agent_dir) {
  return [path = lifecycle::StatusPath(agent_dir)]() -> std::optional<lifecycle::RunStatus> {
    auto text = ReadTrustedFile(path, 64 * 1024);
    if (!text) return std::nullopt;
    auto status = lifecycle::ParseStatus(*text);
    if (!status) return std::nullopt;
    return *status;
  };
}

lifecycle::AliveCheck StillRunning(FileSystem& fs, const std::string& agent_dir) {
  return [&fs, agent_dir] { return RunningAgentboot(fs, agent_dir).has_value(); };
}

int WaitForDrain(Env& env, const DrainFlags& flags, int pid) {
  const auto waited = lifecycle::WaitForDrain(
      env.clock, StatusOf(flags.agent_dir), StillRunning(env.fs, flags.agent_dir), pid,
      env.clock.Now() + WaitBudget(flags), flags.wait_seconds > 0);
  switch (waited.outcome) {
    case lifecycle::WaitOutcome::kDone: {
      const auto* last = waited.last ? &waited.last->drain : nullptr;
      const bool told = last != nullptr && last->state == lifecycle::DrainState::kFinished;
      std::cout << "drained: " << waited.detail
                << (told ? " (agent " + last->cleanup + ")" : std::string()) << "\n";
      return kExitOk;
    }
    case lifecycle::WaitOutcome::kRefused:
      PrintFailure(MakeError(ErrorCode::kUnavailable, "drain", waited.detail,
                             "See agentboot's log; run `agentboot drain` again to retry the "
                             "cleanup, or remove the agent with `agentboot unregister`."));
      return kExitTemporary;
    default:
      PrintFailure(MakeError(ErrorCode::kDeadlineExceeded, "drain", waited.detail,
                             "A job may still be running; see its log, or wait longer (--wait)."));
      return kExitTemporary;
  }
}

// The agent's configuration, or a message that there is nothing to act on.
Result<agent::AgentSettings> ConfiguredAgent(agent::AgentFiles& files) {
  auto settings = files.LoadSettings();
  if (!settings) {
    return Fail(ErrorCode::kNotFound, files.root(), "no agent is configured here",
                "Pass the --agent-dir of a registered agent.");
  }
  return settings;
}

// Sends `signal` to the running agentboot; false (after saying why) when it cannot be sent.
bool SignalRunning(int pid, int signal, std::string_view command) {
  if (::kill(pid, signal) == 0) return true;
  PrintFailure(MakeError(
      ErrorCode::kPermissionDenied, "kill " + std::to_string(pid),
      "cannot signal the running agentboot",
      "Run `agentboot " + std::string(command) + "` as the user that runs agentboot, or root."));
  return false;
}

int LocalDrainResult(const lifecycle::DrainReport& report, const agent::AgentSettings& settings) {
  if (report.cleanup_error) {
    PrintFailure(*report.cleanup_error);
    return report.cleanup_error->code == ErrorCode::kDeadlineExceeded
               ? kExitTemporary
               : ExitCodeFor(Stage::kDevOps, *report.cleanup_error);
  }
  std::cout << "agent '" << settings.agent_name
            << "' drained: " << lifecycle::CleanupName(report.cleanup) << "\n";
  return kExitOk;
}

// No agentboot here: drain the registration itself (its listener, if any, runs elsewhere).
int DrainHere(App& app, const DrainFlags& flags) {
  Env& env = app.env();
  agent::AgentFiles files(env.fs, flags.agent_dir);
  auto settings = ConfiguredAgent(files);
  if (!settings) {
    std::cout << "nothing to drain: " << settings.error().ToString() << "\n";
    return kExitOk;
  }
  auto url = TrustedOrganization(app, files, flags.url, flags.security);
  if (!url) return FailedStage(url.error());
  devops::Client client(ClientOptionsFor(*url), app.transport(), app.tokens(), env);
  auto control = lifecycle::NewDevopsAgentControl(client, files, env);
  auto mailbox = lifecycle::NewMailbox();
  struct NoListener final : lifecycle::ListenerControl {
    void Stop() override {}
    void Pause() override {}
    void Resume() override {}
  } no_listener;
  lifecycle::Policy policy;
  policy.drain_timeout = std::chrono::seconds(flags.drain_timeout_seconds);
  policy.keep_registration = flags.keep_registration;
  lifecycle::Controller controller(env, *mailbox, *control, no_listener, policy);
  return LocalDrainResult(controller.DrainWithoutListener({"agentboot drain", std::nullopt, {}}),
                          *settings);
}

int RunDrain(App& app, const DrainFlags& flags) {
  auto running = RunningToSignal(app, flags);
  if (!running) {
    PrintFailure(running.error());
    return kExitUsage;
  }
  const auto pid = *running;
  if (!pid) return DrainHere(app, flags);
  std::cout << "asking agentboot (pid " << *pid << ") to drain the agent\n" << std::flush;
  if (!SignalRunning(*pid, SIGTERM, "drain")) return kExitUsage;
  return WaitForDrain(app.env(), flags, *pid);
}

// After SIGUSR1: success only once the status file says that a rotation asked for after the
// signal put a new key in place (shared with the listener's user under --run-as) and the
// listener was launched again with it.
int WaitForRotation(Env& env, const DrainFlags& flags, int pid, int baseline) {
  const auto waited = lifecycle::WaitForRotation(env.clock, StatusOf(flags.agent_dir),
                                                 StillRunning(env.fs, flags.agent_dir), pid,
                                                 baseline, env.clock.Now() + WaitBudget(flags));
  switch (waited.outcome) {
    case lifecycle::WaitOutcome::kDone:
      std::cout << "rotated: " << waited.detail << "\n";
      return kExitOk;
    case lifecycle::WaitOutcome::kRefused:
      PrintFailure(MakeError(ErrorCode::kUnavailable, "rotate", waited.detail,
                             "The old key stays in use; see agentboot's log, and run "
                             "`agentboot rotate` again later."));
      return kExitTemporary;
    case lifecycle::WaitOutcome::kEnded:
      PrintFailure(MakeError(ErrorCode::kUnavailable, "rotate", waited.detail,
                             "agentboot is stopping; the next start uses whichever key the "
                             "server holds."));
      return kExitTemporary;
    case lifecycle::WaitOutcome::kTimedOut:
      break;
  }
  PrintFailure(MakeError(ErrorCode::kDeadlineExceeded, "rotate", waited.detail,
                         "A rotation waits until no job runs; see agentboot's log, or wait "
                         "longer (--wait)."));
  return kExitTemporary;
}

// No agentboot here: rotate directly, unless a listener elsewhere is online with the key.
int RotateHere(App& app, const DrainFlags& flags, agent::AgentFiles& files,
               const agent::AgentSettings& settings) {
  Env& env = app.env();
  auto url = TrustedOrganization(app, files, flags.url, flags.security);
  if (!url) return FailedStage(url.error());
  devops::Client client(ClientOptionsFor(*url), app.transport(), app.tokens(), env);
  auto agent = client.GetAgent(settings.pool_id, settings.agent_id);
  if (!agent) return FailedStage(agent.error());
  if (agent->status_kind == devops::AgentStatus::kOnline) {
    PrintFailure(MakeError(ErrorCode::kAlreadyExists, "rotate",
                           "the agent is online, but no agentboot runs it here",
                           "Stop its listener first, or rotate through the agentboot that runs "
                           "it (agentboot rotate --agent-dir DIR)."));
    return kExitConflict;
  }
  if (auto repaired = agent::FinishInterruptedRotation(client, files, env); !repaired) {
    return FailedStage(repaired.error());
  }
  auto rotated = agent::RotateKey(client, files, env);
  if (!rotated) return FailedStage(rotated.error());
  std::cout << "agent '" << rotated->agent_name << "': key " << rotated->old_fingerprint
            << " replaced by " << rotated->new_fingerprint << "\n";
  return kExitOk;
}

int RunRotate(App& app, const DrainFlags& flags) {
  agent::AgentFiles files(app.env().fs, flags.agent_dir);
  auto settings = ConfiguredAgent(files);
  if (!settings) {
    PrintFailure(settings.error());
    return kExitNotFound;
  }
  auto running = RunningToSignal(app, flags);
  if (!running) {
    PrintFailure(running.error());
    return kExitUsage;
  }
  const auto pid = *running;
  if (!pid) return RotateHere(app, flags, files, *settings);
  const int baseline = lifecycle::RotationBaseline(StatusOf(flags.agent_dir)(), *pid);
  std::cout << "asking agentboot (pid " << *pid << ") to rotate the agent's key\n" << std::flush;
  if (!SignalRunning(*pid, SIGUSR1, "rotate")) return kExitUsage;
  return WaitForRotation(app.env(), flags, *pid, baseline);
}

void AddCommonOptions(CLI::App& command, DrainFlags& flags) {
  command.add_option("--agent-dir", flags.agent_dir, "The agent's root directory")
      ->envname("AGENTBOOT_AGENT_DIR");
  command
      .add_option(
          "--wait", flags.wait_seconds,
          "Seconds to wait for the running agentboot (default: until the end of its drain as its "
          "status file tells, or drain timeout + 10 min)")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  command
      .add_option("--url", flags.url,
                  "Organization URL; when set, it must be the one the agent's .agent names")
      ->envname("AZP_URL");
  AddSecurityOptions(command, flags.security);
}

}  // namespace

Runner RegisterDrainCommand(CLI::App& parent) {
  auto flags = std::make_shared<DrainFlags>();
  CLI::App* command = parent.add_subcommand(
      "drain",
      "Drain this host's agent: no new job, wait for the running one, then deregister (a "
      "running agentboot is asked with SIGTERM and awaited; for preStop hooks and admins)");
  AddCommonOptions(*command, *flags);
  command
      ->add_option("--drain-timeout", flags->drain_timeout_seconds,
                   "Seconds to wait for a running job when no agentboot runs here")
      ->envname("AGENTBOOT_DRAIN_TIMEOUT")
      ->check(CLI::Range(0, 7 * 24 * 3600));
  command->add_flag("--keep-registration", flags->keep_registration,
                    "Re-enable the agent afterwards instead of deleting it (no agentboot running)");
  return [flags](App& app) { return RunDrain(app, *flags); };
}

Runner RegisterRotateCommand(CLI::App& parent) {
  auto flags = std::make_shared<DrainFlags>();
  CLI::App* command = parent.add_subcommand(
      "rotate",
      "Rotate the agent's RSA key (a running agentboot is asked with SIGUSR1: it waits until no "
      "job runs, stops the listener, rotates, relaunches)");
  AddCommonOptions(*command, *flags);
  return [flags](App& app) { return RunRotate(app, *flags); };
}

}  // namespace agentboot::cli

// `agentboot run`: token, agent package, registration, then the official listener under
// supervision; with --once, one job, a fresh-token deregistration and an exit code that says how
// the job ended.
#include "agentboot/agent.h"
#include "agentboot/devops.h"
#include "agentboot/supervisor.h"

#include "commands.h"
#include "exit_codes.h"
#include "instance_name.h"
#include "listener_env.h"
#include "run_flags.h"
#include "run_health.h"
#include "run_lifecycle.h"
#include "run_lock.h"
#include "run_ownership.h"
#include "run_registration.h"
#include "run_stop.h"
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

namespace agentboot::cli {
namespace {

constexpr std::string_view kSource = "run";

// SIGINT/SIGTERM/SIGHUP mean "drain", SIGUSR1 "rotate the key" and SIGCHLD wakes the loop: they
// are blocked from the start (and so in every thread agentboot or libcurl creates) and read by the
// supervisor's signalfd. A stop that arrives while registering stays pending and starts the drain
// as soon as supervision starts.
void BlockSupervisionSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&set, signal);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

struct RunAs {
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> groups;
};

Result<RunAs> ResolveRunAs(const std::string& user) {
  RunAs run_as;
  if (user.empty()) return run_as;
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "--run-as " + user, "no such user",
                "Create the user or pass an existing one.");
  }
  run_as.uid = found->pw_uid;
  run_as.gid = found->pw_gid;
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (getgrouplist(user.c_str(), found->pw_gid, groups.data(), &count) >= 0) {
    for (int i = 0; i < count; ++i) run_as.groups.push_back(groups[static_cast<size_t>(i)]);
  }
  return run_as;
}

int JobResultExitCode(const std::string& result) {
  if (result == "succeeded") return kExitOk;
  if (result == "succeededWithIssues") return kExitJobSucceededWithIssues;
  if (result == "failed") return kExitJobFailed;
  if (result == "canceled" || result == "abandoned") return kExitJobCanceled;
  return kExitNoJobRan;
}

// The result of the last job this agent finished, read from the server (the listener's own exit
// code says nothing about the job): the documented `lastCompletedRequest` of "Agents - Get",
// else the agent's job requests (a preview resource) as a fallback (agent-audit D6).
std::string LastJobResult(devops::Client& client, const agent::Registration& registration,
                          Logger& log) {
  devops::AgentQuery query;
  query.capabilities = false;
  query.last_completed_request = true;
  auto agent = client.GetAgent(registration.pool_id, registration.agent_id, query);
  if (agent && agent->last_completed_request) return agent->last_completed_request->result;
  auto requests = client.ListJobRequests(registration.pool_id, registration.agent_id, 1);
  if (!requests) {
    log.Log(LogLevel::kWarning, kSource, "could not read the job's result",
            {{"detail", requests.error().ToString()}});
    return "";
  }
  std::string result;
  std::string finished;
  for (const auto& request : *requests) {
    if (request.agent_id != registration.agent_id || !request.finish_time) continue;
    if (*request.finish_time >= finished) {
      finished = *request.finish_time;
      result = request.result;
    }
  }
  return result;
}

// The exit code of a run that was drained: 0 when the agent is gone (or re-enabled) and the
// events acknowledged.
int DrainedExitCode(const lifecycle::DrainReport& report, const supervisor::RunResult& result) {
  if (report.cleanup_error) {
    PrintFailure(*report.cleanup_error);
    return ExitCodeFor(Stage::kDevOps, *report.cleanup_error);
  }
  if (report.acknowledge_error) {
    PrintFailure(*report.acknowledge_error);
    return kExitTemporary;
  }
  // The listener ignored SIGINT and was killed: say that a job may have been lost.
  if (result.outcome == supervisor::Outcome::kKilled) return result.exit_code;
  return kExitOk;
}

}  // namespace

int RunAgent(App& app, const RunFlags& flags) {
  BlockSupervisionSignals();
  PreparationStop preparation_stop;  // a stop from here on ends the run at once (run_stop.h)
  Env& env = app.env();
  auto policy = LifecyclePolicyFrom(flags);
  if (!policy) {
    PrintFailure(policy.error());
    return kExitUsage;
  }
  if (const int refused = SecureRunStart(app, flags); refused != kExitOk) return refused;
  if (auto made = env.fs.CreateDirectories(flags.agent_dir, 0755); !made) {
    PrintFailure(made.error());
    return ExitCodeFor(Stage::kLocal, made.error());
  }
  auto lock = RunLock::Acquire(env.fs, flags.agent_dir);
  if (!lock) {
    PrintFailure(lock.error());
    return ExitCodeFor(Stage::kLocal, lock.error());  // 8 when another agentboot holds it
  }
  if (auto token = app.tokens().GetToken({}); !token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  auto run_as = ResolveRunAs(flags.run_as);
  if (!run_as) {
    PrintFailure(run_as.error());
    return kExitUsage;
  }
  auto listener_env = ListenerEnvironmentFrom(flags);  // allow-list, --env, --run-as's HOME...
  if (!listener_env) {
    PrintFailure(listener_env.error());
    return kExitUsage;
  }
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), env);
  RunHealth health(app);
  if (auto serving = health.Start(flags.health_listen); !serving) {
    PrintFailure(serving.error());  // a bad or busy --health-listen is a configuration error
    return kExitUsage;
  }

  // The package: pre-baked, cached, local or downloaded; its real version is what we register.
  auto prepared = PrepareListener(app, client, flags);
  if (!prepared) return FailedStage(prepared.error());

  auto options = RegisterOptionsFrom(app, flags, prepared->version);
  if (!options) return FailedStage(options.error());
  agent::AgentFiles files(env.fs, flags.agent_dir);
  auto registration = agent::Register(client, files, env, *options);
  if (!registration) return FailedStage(registration.error());
  if (const auto stop = preparation_stop.Requested()) {
    return StopAfterRegistration(app, client, files, flags, *stop);
  }
  health.Registered(*registration, client);
  // With --run-as, the root stays root's; the listener reads its files through its group and
  // owns only _diag and its work folder (run_ownership.h). Again after every later write (a
  // rotated key, a re-registration).
  auto share_files = [&]() -> Status {
    if (!run_as->uid) return Status{};
    return ShareAgentRoot(flags.agent_dir, options->work_folder, {*run_as->uid, *run_as->gid});
  };
  if (auto shared = share_files(); !shared) {
    PrintFailure(shared.error());
    return kExitLaunchFailed;
  }
  RegistrationKeeper keeper(app, client, files, *options, *registration, health, share_files);

  supervisor::Options supervision;
  supervision.agent_root = flags.agent_dir;
  supervision.policy.once = flags.once;
  supervision.policy.kill_timeout = std::chrono::seconds(flags.stop_timeout_seconds);
  supervision.policy.max_restarts = flags.max_restarts;
  supervision.policy.initial_backoff =
      Duration(static_cast<int64_t>(flags.restart_delay_seconds * 1000));
  if (supervision.policy.initial_backoff < supervision.policy.min_restart_spacing) {
    supervision.policy.min_restart_spacing = supervision.policy.initial_backoff;
  }
  supervision.extra_signals = {SIGUSR1};
  RunLifecycle lifecycle(app, client, files, flags, *policy, health, share_files);
  supervisor::Hooks hooks;
  hooks.on_signal = [&](int signal) { return lifecycle.OnSignal(signal); };
  hooks.make_launch_spec = [&]() -> Result<supervisor::LaunchSpec> {
    if (auto kept = keeper.BeforeLaunch(); !kept) return Fail(std::move(kept.error()));
    supervisor::LaunchSpec spec;
    // --startuptype service: as Microsoft's run-docker.sh and service host do, so that a
    // self-update never starts a second, unsupervised listener through run.sh (agent-audit D2).
    spec.argv = {flags.agent_dir + "/bin/Agent.Listener", "run", "--startuptype", "service"};
    if (flags.once) spec.argv.emplace_back("--once");
    spec.env = supervisor::BuildListenerEnvironment(env.vars.All(), *listener_env);
    // A pinned version must not be replaced behind our back (agent-contract §4, self-update);
    // under --run-as the listener cannot write the root, so agentboot brings new versions.
    if (prepared->pinned || run_as->uid) spec.env["agent.disableupdate"] = "true";
    spec.working_directory = flags.agent_dir;
    spec.uid = run_as->uid;
    spec.gid = run_as->gid;
    spec.supplementary_groups = run_as->groups;
    return spec;
  };
  hooks.on_transition = [&](const supervisor::State& state) {
    health.OnTransition(state);
    lifecycle.OnTransition(state);
  };
  hooks.on_line = [&](std::string_view line, supervisor::Stream stream) {
    env.log.Log(stream == supervisor::Stream::kStderr ? LogLevel::kWarning : LogLevel::kInfo,
                "listener", line);
    keeper.OnLine(line);
  };
  hooks.on_exit = [&](const supervisor::ExitStatus& status) { return keeper.OnExit(status); };
  env.log.Log(LogLevel::kInfo, kSource, "launching the listener",
              {{"version", prepared->version}, {"once", flags.once ? "true" : "false"}});
  preparation_stop.Disarm();  // from here the supervisor reads stop signals (a drain)
  auto supervisor = supervisor::NewSupervisor(env, supervisor::PosixChildLauncher(), supervision,
                                              std::move(hooks));
  lifecycle.Start(*supervisor);
  keeper.Start(*supervisor);
  auto result = supervisor->Run();
  *registration = keeper.registration();
  // --once: the job's result is read before a drain may delete the agent.
  std::string job_result;
  if (result && flags.once) job_result = LastJobResult(client, *registration, env.log);
  const auto drained = lifecycle.Finish();
  if (!result) {
    PrintFailure(result.error());
    return kExitInternal;
  }
  env.log.Log(LogLevel::kInfo, kSource, "listener supervision ended",
              {{"listener_outcome", std::string(supervisor::OutcomeName(result->outcome))},
               {"launches", std::to_string(result->launches)}});
  if (auto fatal = keeper.fatal_error()) {
    PrintFailure(*fatal);
    return ExitCodeFor(Stage::kDevOps, *fatal);
  }
  // The supervisor's outcome codes (0, 10-14) are the executable's own (exit_codes.h).
  if (!flags.once) return drained ? DrainedExitCode(*drained, *result) : result->exit_code;

  // Ephemeral: the job's own result, then leave nothing behind (a fresh token for the delete).
  health.JobFinished(job_result);
  env.log.Log(LogLevel::kInfo, kSource, "job finished",
              {{"result", job_result.empty() ? "none" : job_result}});
  if (drained) {
    // The drain removed the agent already (or says why it could not).
    if (const int code = DrainedExitCode(*drained, *result); code != kExitOk) return code;
    return JobResultExitCode(job_result);
  }
  auto removed = agent::Unregister(client, files, env, "", "", false);
  if (!removed) return FailedStage(removed.error());
  env.log.Log(
      LogLevel::kInfo, kSource, "agent unregistered",
      {{"agent", registration->agent_name}, {"id", std::to_string(registration->agent_id)}});
  if (result->outcome != supervisor::Outcome::kSucceeded &&
      result->outcome != supervisor::Outcome::kStopped && job_result.empty()) {
    return result->exit_code;
  }
  return JobResultExitCode(job_result);
}

}  // namespace agentboot::cli

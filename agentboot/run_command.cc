// `agentboot run`: token, agent package, registration, then the official listener under
// supervision; with --once, one job, a fresh-token deregistration and an exit code that says how
// the job ended.
#include <memory>

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
#include "run_local_checks.h"
#include "run_lock.h"
#include "run_outside_stop.h"
#include "run_ownership.h"
#include "run_registration.h"
#include "run_stop.h"
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

int JobResultExitCode(const std::string& result) {
  return ExitCodeForJob(devops::ParseJobResult(result));
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

// The agent directory made and locked; under --run-as its root is taken back right after the
// lock, before anything else is written or removed in it (run_ownership.h). kExitOk with `lock`
// held, or the exit code of a printed failure.
int LockAgentDir(App& app, const RunFlags& flags, const LocalRun& local,
                 std::optional<RunLock>& lock) {
  if (auto made = app.env().fs.CreateDirectories(flags.agent_dir, 0755); !made) {
    PrintFailure(made.error());
    return ExitCodeFor(Stage::kLocal, made.error());
  }
  std::function<Status()> take_back;
  if (local.run_as.uid) take_back = [&flags] { return TakeAgentRootBack(flags.agent_dir); };
  auto acquired = RunLock::Acquire(app.env().fs, flags.agent_dir, take_back);
  if (!acquired) {
    PrintFailure(acquired.error());
    return ExitCodeFor(Stage::kLocal, acquired.error());  // 8 when another agentboot holds it
  }
  lock.emplace(std::move(*acquired));
  return kExitOk;
}

// --once: the agent registered for this run is deleted whatever ended the run, with a fresh
// token and even while a stop is pending. The run's own exit code stays; a failed deletion is
// printed as well.
int RemoveOnceAgent(App& app, devops::Client& client, agent::AgentFiles& files, int code) {
  ProcessStopToken().Disarm();
  auto removed = agent::Unregister(client, files, app.env(), "", "", false);
  if (!removed) {
    PrintFailure(removed.error());
    return code;
  }
  app.env().log.Log(LogLevel::kInfo, kSource, "agent unregistered (--once) after a failed run",
                    {{"agent", removed->agent_name}, {"exit_code", std::to_string(code)}});
  return code;
}

// What supervision needs; everything is owned by RunAgent.
struct Registered {
  App& app;
  const RunFlags& flags;
  const LocalRun& local;
  devops::Client& client;
  agent::AgentFiles& files;
  RunHealth& health;
  const agent::PreparedAgent& prepared;
  const agent::RegisterOptions& options;
  agent::Registration& registration;
  PreparationStop& preparation_stop;
};

// How supervision ended; `agent_handled`: the --once agent was deleted (or its deletion's
// failure reported) on the way.
struct Ended {
  int code = kExitOk;
  bool agent_handled = false;
};

supervisor::Options SupervisionOptions(const RunFlags& flags) {
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
  return supervision;
}

supervisor::LaunchSpec ListenerLaunchSpec(const Registered& r) {
  const RunFlags& flags = r.flags;
  const RunAs& run_as = r.local.run_as;
  supervisor::LaunchSpec spec;
  // --startuptype service: as Microsoft's run-docker.sh and service host do, so that a
  // self-update never starts a second, unsupervised listener through run.sh (agent-audit D2).
  spec.argv = {flags.agent_dir + "/bin/Agent.Listener", "run", "--startuptype", "service"};
  if (flags.once) spec.argv.emplace_back("--once");
  spec.env = supervisor::BuildListenerEnvironment(r.app.env().vars.All(), r.local.listener_env);
  // A pinned version must not be replaced behind our back (agent-contract §4, self-update);
  // under --run-as the listener cannot write the root, so agentboot brings new versions.
  if (r.prepared.pinned || run_as.uid) spec.env["agent.disableupdate"] = "true";
  spec.working_directory = flags.agent_dir;
  spec.uid = run_as.uid;
  spec.gid = run_as.gid;
  spec.supplementary_groups = run_as.groups;
  return spec;
}

supervisor::Hooks MakeHooks(const Registered& r, RegistrationKeeper& keeper,
                            RunLifecycle& lifecycle, OutsideStop& outside) {
  supervisor::Hooks hooks;
  hooks.on_signal = [&lifecycle, &outside](int signal) {
    if (signal != SIGUSR1) outside.StopSignalReceived();
    return lifecycle.OnSignal(signal);
  };
  hooks.make_launch_spec = [&r, &keeper]() -> Result<supervisor::LaunchSpec> {
    if (auto kept = keeper.BeforeLaunch(); !kept) return Fail(std::move(kept.error()));
    return ListenerLaunchSpec(r);
  };
  hooks.on_transition = [&r, &lifecycle](const supervisor::State& state) {
    r.health.OnTransition(state);
    lifecycle.OnTransition(state);
  };
  hooks.on_line = [&r, &keeper](std::string_view line, supervisor::Stream stream) {
    r.app.env().log.Log(
        stream == supervisor::Stream::kStderr ? LogLevel::kWarning : LogLevel::kInfo, "listener",
        line);
    keeper.OnLine(line);
  };
  hooks.on_exit = [&keeper, &outside](const supervisor::ExitStatus& status) {
    const auto decision = keeper.OnExit(status);
    // Stopped from outside while agentboot stops too: not restarted (run_outside_stop.h).
    if (outside.ListenerEnded(status)) return supervisor::ExitDecision::kStop;
    return decision;
  };
  return hooks;
}

// --once after supervision: the job's own result, then leave nothing behind (a fresh token).
Ended FinishOnce(const Registered& r, const supervisor::RunResult& result,
                 const std::optional<lifecycle::DrainReport>& drained,
                 const std::string& job_result) {
  Env& env = r.app.env();
  r.health.JobFinished(job_result);
  env.log.Log(LogLevel::kInfo, kSource, "job finished",
              {{"result", job_result.empty() ? "none" : job_result}});
  if (drained) {
    // The drain removed the agent already (or says why it could not).
    if (const int code = DrainedExitCode(*drained, result); code != kExitOk) return {code, true};
    return {JobResultExitCode(job_result), true};
  }
  auto removed = agent::Unregister(r.client, r.files, env, "", "", false);
  if (!removed) return {FailedStage(removed.error()), true};
  env.log.Log(
      LogLevel::kInfo, kSource, "agent unregistered",
      {{"agent", r.registration.agent_name}, {"id", std::to_string(r.registration.agent_id)}});
  if (result.outcome != supervisor::Outcome::kSucceeded &&
      result.outcome != supervisor::Outcome::kStopped && job_result.empty()) {
    return {result.exit_code, true};
  }
  return {JobResultExitCode(job_result), true};
}

Ended AfterSupervision(const Registered& r, const Result<supervisor::RunResult>& result,
                       const RegistrationKeeper& keeper, RunLifecycle& lifecycle,
                       OutsideStop& outside) {
  Env& env = r.app.env();
  // Read before a drain may delete the agent: the --once job's result, an outside stop's job.
  std::string job_result;
  if (result && r.flags.once) job_result = LastJobResult(r.client, r.registration, env.log);
  std::optional<bool> cancelled;
  if (outside.happened()) cancelled = outside.JobCancelled(r.client, r.registration);
  const auto drained = lifecycle.Finish();
  outside.Report(env.log, cancelled);
  if (!result) {
    PrintFailure(result.error());
    return {kExitInternal, false};
  }
  env.log.Log(LogLevel::kInfo, kSource, "listener supervision ended",
              {{"listener_outcome", std::string(supervisor::OutcomeName(result->outcome))},
               {"launches", std::to_string(result->launches)}});
  if (auto fatal = keeper.fatal_error()) {
    PrintFailure(*fatal);
    return {ExitCodeFor(Stage::kDevOps, *fatal), false};
  }
  if (r.flags.once) return FinishOnce(r, *result, drained, job_result);
  // The supervisor's outcome codes (0, 10-14) are the executable's own (exit_codes.h).
  const int code = drained ? DrainedExitCode(*drained, *result) : result->exit_code;
  return {code == kExitOk && cancelled == true ? kExitJobCanceled : code, false};
}

// The listener under supervision, with drain, key rotation and re-registration around it.
Ended Supervise(const Registered& r) {
  Env& env = r.app.env();
  const RunAs& run_as = r.local.run_as;
  // With --run-as, the root stays root's; the listener reads its files through its group and
  // owns only _diag and its work folder (run_ownership.h). Again after every later write (a
  // rotated key, a re-registration).
  auto share_files = [&r, &run_as]() -> Status {
    if (!run_as.uid) return Status{};
    return ShareAgentRoot(r.flags.agent_dir, r.options.work_folder, {*run_as.uid, *run_as.gid});
  };
  if (auto shared = share_files(); !shared) {
    PrintFailure(shared.error());
    return {kExitLaunchFailed, false};
  }
  RegistrationKeeper keeper(r.app, r.client, r.files, r.options, r.registration, r.health,
                            share_files);
  RunLifecycle lifecycle(r.app, r.client, r.files, r.flags, r.local.policy, r.health, share_files);
  OutsideStop outside(env.clock);
  env.log.Log(LogLevel::kInfo, kSource, "launching the listener",
              {{"version", r.prepared.version}, {"once", r.flags.once ? "true" : "false"}});
  r.preparation_stop.Disarm();  // from here the supervisor reads stop signals (a drain)
  auto supervisor =
      supervisor::NewSupervisor(env, supervisor::PosixChildLauncher(), SupervisionOptions(r.flags),
                                MakeHooks(r, keeper, lifecycle, outside));
  lifecycle.Start(*supervisor);
  keeper.Start(*supervisor);
  auto result = supervisor->Run();
  r.registration = keeper.registration();
  return AfterSupervision(r, result, keeper, lifecycle, outside);
}

}  // namespace

int RunAgent(App& app, const RunFlags& flags) {
  BlockSupervisionSignals();
  PreparationStop preparation_stop;  // a stop from here on ends the run at once (run_stop.h)
  Env& env = app.env();
  // Every check that needs no network comes first (issue 15 item 3).
  LocalRun local;
  if (const int refused = ValidateRunLocally(app, flags, local); refused != kExitOk) return refused;
  if (const int refused = SecureRunStart(app, flags); refused != kExitOk) return refused;
  std::optional<RunLock> lock;
  if (const int failed = LockAgentDir(app, flags, local, lock); failed != kExitOk) return failed;
  agent::AgentFiles files(env.fs, flags.agent_dir);
  // A fresh registration's key is made while the token and the package are fetched.
  auto key_ahead =
      env.fs.Exists(files.rsa_params_path()) ? nullptr : std::make_unique<agent::KeyInAdvance>();
  RunHealth health(app);
  if (auto serving = health.Start(flags.health_listen); !serving) {
    PrintFailure(serving.error());  // a bad or busy --health-listen is a configuration error
    return kExitUsage;
  }
  if (auto token = app.tokens().GetToken({}); !token) {
    PrintFailure(token.error());
    return ExitCodeFor(Stage::kIdentity, token.error());
  }
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), env);
  // The package: pre-baked, cached, local or downloaded; its real version is what we register.
  auto prepared = PrepareListener(app, client, flags);
  if (!prepared) return FailedStage(prepared.error());
  auto options = RegisterOptionsFrom(app, flags, prepared->version);
  if (!options) return FailedStage(options.error());
  if (key_ahead) options->new_key = [k = key_ahead.get()] { return k->Take(); };
  auto registration = agent::Register(client, files, env, *options);
  if (!registration) return FailedStage(registration.error());
  if (const auto stop = preparation_stop.Requested()) {
    return StopAfterRegistration(app, client, files, flags, *stop);
  }
  health.Registered(*registration, client);
  const Registered registered{app,    flags,     local,    client,        files,
                              health, *prepared, *options, *registration, preparation_stop};
  const Ended ended = Supervise(registered);
  if (flags.once && !ended.agent_handled) return RemoveOnceAgent(app, client, files, ended.code);
  return ended.code;
}

}  // namespace agentboot::cli

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
#include "run_exit_policy.h"
#include "run_flags.h"
#include "run_health.h"
#include "run_launch.h"
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

supervisor::LaunchSpec ListenerLaunchSpecFor(const Registered& r) {
  const RunAs& run_as = r.local.run_as;
  const ListenerLaunch launch{r.flags.agent_dir, r.flags.once, r.prepared.pinned,
                              run_as.uid,        run_as.gid,   run_as.groups};
  return ListenerLaunchSpec(launch, r.app.env().vars.All(), r.local.listener_env);
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
    return ListenerLaunchSpecFor(r);
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
    return WithOutsideStop(decision, outside.ListenerEnded(status));
  };
  return hooks;
}

// --once after supervision: the job's own result, then leave nothing behind (a fresh token)
// unless a drain removed the agent already.
void FinishOnce(const Registered& r, RunEnd& end) {
  Env& env = r.app.env();
  r.health.JobFinished(end.job_result);
  env.log.Log(LogLevel::kInfo, kSource, "job finished",
              {{"result", end.job_result.empty() ? "none" : end.job_result}});
  if (!OnceNeedsUnregister(end)) return;
  auto removed = agent::Unregister(r.client, r.files, env, "", "", false);
  if (!removed) {
    end.once_unregister_failure = FailedStage(removed.error());
    return;
  }
  env.log.Log(
      LogLevel::kInfo, kSource, "agent unregistered",
      {{"agent", r.registration.agent_name}, {"id", std::to_string(r.registration.agent_id)}});
}

// The facts of the run's end, in the order they must be read: the job's result and an outside
// stop's job before a drain may delete the agent.
RunEnd GatherEnd(const Registered& r, const Result<supervisor::RunResult>& result,
                 const RegistrationKeeper& keeper, RunLifecycle& lifecycle, OutsideStop& outside) {
  Env& env = r.app.env();
  RunEnd end;
  end.once = r.flags.once;
  if (result && r.flags.once) end.job_result = LastJobResult(r.client, r.registration, env.log);
  if (outside.happened()) end.job_cancelled = outside.JobCancelled(r.client, r.registration);
  end.drained = lifecycle.Finish();
  outside.Report(env.log, end.job_cancelled);
  if (!result) {
    end.supervision_error = result.error();
    return end;
  }
  end.result = *result;
  end.registration_fatal = keeper.fatal_error();
  return end;
}

Ended AfterSupervision(const Registered& r, const Result<supervisor::RunResult>& result,
                       const RegistrationKeeper& keeper, RunLifecycle& lifecycle,
                       OutsideStop& outside) {
  RunEnd end = GatherEnd(r, result, keeper, lifecycle, outside);
  if (result) {
    r.app.env().log.Log(
        LogLevel::kInfo, kSource, "listener supervision ended",
        {{"listener_outcome", std::string(supervisor::OutcomeName(result->outcome))},
         {"launches", std::to_string(result->launches)}});
  }
  if (end.once && !end.supervision_error && !end.registration_fatal) FinishOnce(r, end);
  const RunVerdict verdict = DecideRunExit(end);
  if (verdict.failure) PrintFailure(*verdict.failure);
  return {verdict.code, verdict.once_agent_handled};
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
  auto on_registered = [&r](const agent::Registration& again) {
    r.health.Registered(again, r.client);
  };
  RegistrationKeeper keeper(env, r.client, r.files, r.options, r.registration, on_registered,
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

// A bad or busy --health-listen is a configuration error.
int ServeHealth(RunHealth& health, const RunFlags& flags) {
  if (auto serving = health.Start(flags.health_listen); !serving) {
    PrintFailure(serving.error());
    return kExitUsage;
  }
  return kExitOk;
}

// What the registration needs from the preparation; everything is owned by RunAgent.
struct Preparation {
  App& app;
  const RunFlags& flags;
  const LocalRun& local;
  devops::Client& client;
  agent::AgentFiles& files;
  RunHealth& health;
  PreparationStop& preparation_stop;
};

// The package (pre-baked, cached, local or downloaded; its real version is what we register),
// the registration, then supervision; with --once the agent is deleted whatever ended the run.
int RegisterAndSupervise(const Preparation& p, agent::KeyInAdvance* key_ahead) {
  App& app = p.app;
  auto prepared = PrepareListener(app, p.client, p.flags);
  if (!prepared) return FailedStage(prepared.error());
  auto options = RegisterOptionsFrom(app, p.flags, prepared->version);
  if (!options) return FailedStage(options.error());
  if (key_ahead) options->new_key = [key_ahead] { return key_ahead->Take(); };
  auto registration = agent::Register(p.client, p.files, app.env(), *options);
  if (!registration) return FailedStage(registration.error());
  if (const auto stop = p.preparation_stop.Requested()) {
    return StopAfterRegistration(app, p.client, p.files, p.flags, *stop);
  }
  p.health.Registered(*registration, p.client);
  const Registered registered{app,      p.flags,   p.local,  p.client,      p.files,
                              p.health, *prepared, *options, *registration, p.preparation_stop};
  const Ended ended = Supervise(registered);
  if (p.flags.once && !ended.agent_handled) {
    return RemoveOnceAgent(app, p.client, p.files, ended.code);
  }
  return ended.code;
}

}  // namespace

int RunAgent(App& app, const RunFlags& flags) {
  BlockSupervisionSignals();
  PreparationStop preparation_stop;  // a stop from here on ends the run at once (run_stop.h)
  Env& env = app.env();
  LocalRun local;
  std::optional<RunLock> lock;
  agent::AgentFiles files(env.fs, flags.agent_dir);
  std::unique_ptr<agent::KeyInAdvance> key_ahead;
  RunHealth health(app);
  PreparationSteps steps;
  // Every check that needs no network comes first (issue 15 item 3).
  steps.check_locally = [&] { return ValidateRunLocally(app, flags, local); };
  steps.secure_start = [&] { return SecureRunStart(app, flags); };
  steps.lock_agent_dir = [&] {
    const int failed = LockAgentDir(app, flags, local, lock);
    // A fresh registration's key is made while the token and the package are fetched.
    if (failed == kExitOk && !env.fs.Exists(files.rsa_params_path())) {
      key_ahead = std::make_unique<agent::KeyInAdvance>();
    }
    return failed;
  };
  steps.serve_health = [&] { return ServeHealth(health, flags); };
  if (const int failed = PrepareRun(steps, app.tokens()); failed != kExitOk) return failed;
  devops::Client client(ClientOptionsFor(flags.url), app.transport(), app.tokens(), env);
  const Preparation preparation{app, flags, local, client, files, health, preparation_stop};
  return RegisterAndSupervise(preparation, key_ahead.get());
}

}  // namespace agentboot::cli

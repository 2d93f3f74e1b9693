// agentboot::supervisor — runs the official Agent.Listener as a long-lived child and keeps it up.
//
// Three layers (style guide §3, after s6-supervise):
//  * ChildLauncher: the seam that spawns, signals and reaps the listener (fork/exec, own session,
//    reset signal mask, exec errors reported synchronously).
//  * Step: a PURE transition function (state, event, now) -> (next state, actions, deadline). All
//    restart, back-off, stop, pause and update decisions live here and are unit-tested without I/O.
//  * Supervisor: a single-threaded loop around Step (signalfd, child reaping, output pipes, the
//    self-update watcher, commands posted from other threads, one deadline).
//
// Supervisor exit codes (SupervisorExitCode; the executable owns the final table):
//   0  kSucceeded     listener exited 0 (normal end, or the one --once job done)
//   0  kStopped       agentboot was asked to stop and the listener ended after SIGINT
//   10 kTerminated    listener exit 1 (not configured / non-retryable): check the server
//   11 kListenerFailed --once mode: the listener crashed; the one run is over, not retried
//   12 kCrashLoop     more than Policy::max_restarts restarts within Policy::restart_window
//   13 kLaunchFailed  the first launch failed (bad path, permissions, setuid): a config error
//   14 kKilled        stop requested, the listener ignored SIGINT and was SIGKILLed (job lost)
//
// This is the module's one public header; its declarations are kept by topic in
// agentboot/supervisor/ (launcher.h, environment.h, transition.h, loop.h).
#pragma once

#include "agentboot/supervisor/environment.h"
#include "agentboot/supervisor/launcher.h"
#include "agentboot/supervisor/loop.h"
#include "agentboot/supervisor/transition.h"

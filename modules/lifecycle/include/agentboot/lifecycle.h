// agentboot::lifecycle — the server-side sequences around the supervised listener: the graceful
// drain (SIGTERM, `agentboot drain`, an Azure Scheduled Event) and the rotation of the agent's
// RSA key.
//
// A Controller runs on its own thread. It reads messages from a Mailbox (stop signals, scheduled
// events, rotation requests, what the supervisor did) and calls two seams: AgentControl (the
// Azure DevOps server and the agent's files) and ListenerControl (the supervisor). Waiting is
// always "the next message or a deadline", so a second stop signal interrupts any wait, and
// tests drive the whole sequence with a fake mailbox on a FakeClock.
//
// Drain: 1. disable the agent on the server; 2. wait until no job is assigned, bounded by
// Policy::drain_timeout (and an event's NotBefore minus Policy::event_margin); 3. stop the
// listener (SIGINT; a job still running at the deadline is cancelled and reported loudly);
// 4. delete the registration and the local credentials, or re-enable the agent
// (Policy::keep_registration); 5. acknowledge the scheduled events that asked for the drain.
// Every server step retries with jittered back-off: during an identity outage the cached token
// serves while valid and the steps retry until the outage ends or their deadline passes.
//
// Rotation: disable, wait idle (a job is never cancelled for a rotation: a busy agent is
// re-enabled and the rotation retried later), pause the listener, rotate the key (crash-safe, in
// the agent module), resume the listener, enable. The listener never runs with a key the server
// does not accept.
//
// Both sequences are tables of named steps (Step), each a short function, sharing one wait for
// "no job assigned"; every step is reported as it begins (Callbacks::on_step), which is what
// `run` writes to its status file (lifecycle/status.h).
//
// This is the module's one public header; its declarations are kept by topic in
// agentboot/lifecycle/: messages.h (the Mailbox), seams.h (AgentControl, ListenerControl),
// controller.h (Policy, reports, steps, Controller), idle.h (the idle timeout) and status.h (the
// status file and the waits on it).
#pragma once

#include "agentboot/lifecycle/controller.h"
#include "agentboot/lifecycle/idle.h"
#include "agentboot/lifecycle/messages.h"
#include "agentboot/lifecycle/seams.h"
#include "agentboot/lifecycle/status.h"

// The executable's exit-code table: the only place error codes become process exit codes.
// Documented in README.md ("Exit codes"); keep both in step.
#pragma once

#include <span>
#include <string_view>

#include "agentboot/base.h"

namespace agentboot::devops {
enum class JobResult;  // agentboot/devops.h
}  // namespace agentboot::devops

namespace agentboot::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,               // a bug or an unexpected answer: report it
  kExitUsage = 2,                  // bad command line, configuration or input file
  kExitIdentityUnavailable = 3,    // no identity source here, or its endpoint does not answer
  kExitIdentityRefused = 4,        // the identity exists but Entra / the endpoint refused it
  kExitDevOpsUnauthenticated = 5,  // Azure DevOps refused the token (401 / 203 sign-in page)
  kExitDevOpsForbidden = 6,        // authenticated, but lacks a role (pool Administrator)
  kExitNotFound = 7,               // pool or agent not found
  kExitConflict = 8,               // agent exists and --replace was not given
  kExitTemporary = 9,  // throttled, timed out or unavailable after retries: try again later
  // `run`: the supervisor's outcomes (modules/supervisor) pass through unchanged.
  kExitListenerTerminated = 10,  // the listener exited 1 and re-registration did not apply
  kExitListenerFailed = 11,      // --once: the listener crashed before a job result was known
  kExitCrashLoop = 12,           // too many listener restarts in a short time
  kExitLaunchFailed = 13,        // the listener could not be started (path, permissions, user)
  kExitListenerKilled = 14,      // the listener ignored SIGINT and was killed: a job was lost
  // Failures that are neither the identity's nor Azure DevOps' answer to a request.
  kExitLocal = 15,         // a local file, directory or the disk (permissions, missing, full)
  kExitTlsUntrusted = 16,  // a server's TLS certificate is not trusted (--ca-file)
  kExitServerError = 17,   // the server failed (HTTP 5xx after retries, an unexpected redirect)
  kExitStopped = 18,       // run: stopped by SIGTERM/SIGINT/SIGHUP before the listener started
  // `run --once`: the job's own result, read from the server.
  kExitJobSucceededWithIssues = 21,
  kExitJobFailed = 22,
  kExitJobCanceled = 23,  // canceled or abandoned
  kExitNoJobRan = 24,
  // `doctor`: at least one check failed (the table says which and what to do).
  kExitChecksFailed = 30,
};

// Every exit code with its one-line meaning: the README's "Exit codes" table lists exactly these
// (a test compares them).
struct ExitCodeInfo {
  int code;
  std::string_view meaning;
};
std::span<const ExitCodeInfo> ExitCodeTable();

// Which stage failed decides between identity and Azure DevOps codes. Local-file, TLS-trust and
// server failures have their own codes whatever the stage.
enum class Stage { kIdentity, kDevOps, kLocal };

// The stage a request's error belongs to, from its origin (set by the identity module and the
// Azure DevOps client): kIdentity for the identity's, kDevOps for everything else.
Stage StageOf(const Error& error);

int ExitCodeFor(Stage stage, const Error& error);

// `run --once`: the exit code for the job's result (no result: kExitNoJobRan).
int ExitCodeForJob(devops::JobResult result);

// The error with a "what to do" sentence: its own advice, or the one its kind calls for (a local
// file, an untrusted certificate, a server failure, a redirect).
Error WithAdvice(Error error);

// Prints "agentboot: <context>: <detail>" and the advice sentence (WithAdvice) to stderr.
void PrintFailure(const Error& error);

}  // namespace agentboot::cli

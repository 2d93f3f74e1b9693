#include "exit_codes.h"

#include <array>
#include <iostream>

#include "agentboot/devops.h"

namespace agentboot::cli {
namespace {

constexpr std::array kTable = {
    ExitCodeInfo{kExitOk, "success"},
    ExitCodeInfo{kExitInternal, "internal error"},
    ExitCodeInfo{kExitUsage, "usage or configuration error"},
    ExitCodeInfo{kExitIdentityUnavailable, "identity unavailable"},
    ExitCodeInfo{kExitIdentityRefused, "identity refused"},
    ExitCodeInfo{kExitDevOpsUnauthenticated, "Azure DevOps refused the token"},
    ExitCodeInfo{kExitDevOpsForbidden, "forbidden"},
    ExitCodeInfo{kExitNotFound, "not found"},
    ExitCodeInfo{kExitConflict, "conflict"},
    ExitCodeInfo{kExitTemporary, "temporary"},
    ExitCodeInfo{kExitListenerTerminated, "listener terminated"},
    ExitCodeInfo{kExitListenerFailed, "listener crashed"},
    ExitCodeInfo{kExitCrashLoop, "crash loop"},
    ExitCodeInfo{kExitLaunchFailed, "listener not launched"},
    ExitCodeInfo{kExitListenerKilled, "listener killed"},
    ExitCodeInfo{kExitLocal, "local file, directory or disk"},
    ExitCodeInfo{kExitTlsUntrusted, "TLS certificate not trusted"},
    ExitCodeInfo{kExitServerError, "server failure"},
    ExitCodeInfo{kExitStopped, "stopped before the listener started"},
    ExitCodeInfo{kExitJobSucceededWithIssues, "job succeeded with issues"},
    ExitCodeInfo{kExitJobFailed, "job failed"},
    ExitCodeInfo{kExitJobCanceled, "job canceled"},
    ExitCodeInfo{kExitNoJobRan, "no job ran"},
    ExitCodeInfo{kExitChecksFailed, "doctor: a check failed"},
};

enum class Kind { kOther, kLocal, kTls, kServer, kRedirect };

// The contexts PosixFileSystem (modules/base/src/posix_file_system.cc) and the run lock give a
// failed file operation: a verb and a path, possibly after a caller's own prefix
// ("identity/pat: read /run/secrets/pat").
bool IsLocalFileContext(std::string_view context) {
  static constexpr std::array<std::string_view, 8> kVerbs = {"read ",  "write ", "stat ", "remove ",
                                                             "mkdir ", "list ",  "open ", "chown "};
  const size_t colon = context.rfind(": ");
  const std::string_view operation =
      colon == std::string_view::npos ? context : context.substr(colon + 2);
  for (std::string_view verb : kVerbs) {
    if (operation.size() > verb.size() && operation.substr(0, verb.size()) == verb) return true;
  }
  return false;
}

Kind KindOf(const Error& error) {
  const int status = error.http_status;
  if (status >= 300 && status < 400) return Kind::kRedirect;
  if (status >= 500 && error.code == ErrorCode::kInternal) return Kind::kServer;
  if (status != 0) return Kind::kOther;
  // Set by libcurl's certificate failures (modules/http/src/curl_common.cc), kept by the identity
  // sources and the Azure DevOps client.
  if (error.origin == ErrorOrigin::kTls) return Kind::kTls;
  if (IsLocalFileContext(error.context)) return Kind::kLocal;
  return Kind::kOther;
}

std::string FallbackAdvice(Stage stage, const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return "Fix the command line or the environment (agentboot <command> --help lists the "
             "options).";
    case ErrorCode::kNotFound:
      return "Check that --url/AZP_URL names your organization (https://dev.azure.com/<org>) and "
             "that the names given exist there.";
    case ErrorCode::kAlreadyExists:
      return "Something of that name exists already: remove it or choose another name.";
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return "Check that the identity has access to the organization and the agent pool.";
    case ErrorCode::kThrottled:
    case ErrorCode::kDeadlineExceeded:
      return "Wait a few minutes and try again.";
    case ErrorCode::kUnavailable:
      return stage == Stage::kIdentity
                 ? "Check that the identity endpoint is reachable from this host."
                 : "Check that the server is reachable from this host (DNS, firewall, "
                   "HTTPS_PROXY/NO_PROXY), then try again.";
    case ErrorCode::kInternal:
      break;
  }
  return "This looks like a bug or an unexpected answer: run again with --verbose and report it.";
}

}  // namespace

std::span<const ExitCodeInfo> ExitCodeTable() { return kTable; }

Stage StageOf(const Error& error) {
  return error.origin == ErrorOrigin::kIdentity ? Stage::kIdentity : Stage::kDevOps;
}

int ExitCodeFor(Stage stage, const Error& error) {
  // A step that failed while a stop was pending failed because of it (run's preparation only:
  // the token is disarmed everywhere else).
  if (ProcessStopToken().Requested()) return kExitStopped;
  switch (KindOf(error)) {
    case Kind::kLocal:
      return kExitLocal;
    case Kind::kTls:
      return kExitTlsUntrusted;
    case Kind::kServer:
    case Kind::kRedirect:
      return kExitServerError;
    case Kind::kOther:
      break;
  }
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kUnavailable:
      return stage == Stage::kIdentity ? kExitIdentityUnavailable : kExitTemporary;
    case ErrorCode::kUnauthenticated:
      return stage == Stage::kIdentity ? kExitIdentityRefused : kExitDevOpsUnauthenticated;
    case ErrorCode::kPermissionDenied:
      return stage == Stage::kIdentity ? kExitIdentityRefused : kExitDevOpsForbidden;
    case ErrorCode::kNotFound:
      return stage == Stage::kLocal ? kExitUsage : kExitNotFound;
    case ErrorCode::kAlreadyExists:
      return kExitConflict;
    case ErrorCode::kThrottled:
    case ErrorCode::kDeadlineExceeded:
      return kExitTemporary;
    case ErrorCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int ExitCodeForJob(devops::JobResult result) {
  switch (result) {
    case devops::JobResult::kSucceeded:
      return kExitOk;
    case devops::JobResult::kSucceededWithIssues:
      return kExitJobSucceededWithIssues;
    case devops::JobResult::kFailed:
      return kExitJobFailed;
    case devops::JobResult::kCanceled:
    case devops::JobResult::kAbandoned:
      return kExitJobCanceled;
    case devops::JobResult::kSkipped:
    case devops::JobResult::kNone:
      break;
  }
  return kExitNoJobRan;
}

Error WithAdvice(Error error) {
  if (!error.advice.empty()) return error;
  switch (KindOf(error)) {
    case Kind::kRedirect:
      error.advice =
          "The server redirected the request, which agentboot does not follow with a token: "
          "check that --url/AZP_URL is the organization's URL, https://dev.azure.com/<org>.";
      return error;
    case Kind::kServer:
      error.advice =
          "The server failed on its side: try again later, and check "
          "https://status.dev.azure.com if it persists.";
      return error;
    case Kind::kLocal:
      error.advice = "Check that the path exists and that this user may write there.";
      return error;
    default:
      break;
  }
  error.advice = FallbackAdvice(StageOf(error), error);
  return error;
}

void PrintFailure(const Error& failure) {
  const Error error = WithAdvice(failure);
  std::cerr << "agentboot: " << (error.context.empty() ? "" : error.context + ": ") << error.detail
            << "\n";
  if (!error.advice.empty()) std::cerr << "agentboot: " << error.advice << "\n";
}

}  // namespace agentboot::cli

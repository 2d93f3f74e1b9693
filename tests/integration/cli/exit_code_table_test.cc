// The executable's exit codes: the README's table lists exactly the codes of exit_codes.h, and
// errors land in the category their cause calls for, each with a "what to do" sentence.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "agentboot/devops.h"

#include "exit_codes.h"

namespace agentboot::cli {
namespace {

std::set<int> ReadmeCodes() {
  std::ifstream in(AGENTBOOT_README);
  std::string line;
  bool in_section = false;
  std::set<int> codes;
  const std::regex row(R"(^\| (\d+) \|)");
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Exit codes";
    std::smatch match;
    if (in_section && std::regex_search(line, match, row)) codes.insert(std::stoi(match[1]));
  }
  return codes;
}

TEST(ExitCodeTable, MatchesTheReadme) {
  std::set<int> ours;
  for (const ExitCodeInfo& info : ExitCodeTable()) {
    EXPECT_TRUE(ours.insert(info.code).second) << "twice: " << info.code;
    EXPECT_FALSE(info.meaning.empty());
  }
  const std::set<int> readme = ReadmeCodes();
  ASSERT_FALSE(readme.empty()) << "no table under '## Exit codes' in " << AGENTBOOT_README;
  EXPECT_EQ(readme, ours);
}

Error FileError(std::string context, std::string detail) {
  return MakeError(ErrorCode::kPermissionDenied, std::move(context), std::move(detail));
}

TEST(ExitCodeFor, LocalFileFailuresAreLocalWhateverTheirErrno) {
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, FileError("mkdir /srv/agent", "Permission denied")),
            kExitLocal);
  Error missing = MakeError(ErrorCode::kNotFound, "identity/pat: read /run/pat", "No such file");
  EXPECT_EQ(ExitCodeFor(Stage::kIdentity, missing), kExitLocal);
  Error arc_key = MakeError(ErrorCode::kNotFound,
                            "identity/arc: GET http://localhost:40342/metadata/identity/oauth2/"
                            "token: stat /var/opt/azcmagent/tokens/a.key",
                            "No such file or directory");
  EXPECT_EQ(ExitCodeFor(Stage::kIdentity, arc_key), kExitLocal);
  // A read-only agent directory: the run lock cannot be created (run_lock.cc). Not a conflict.
  Error lock = MakeError(ErrorCode::kPermissionDenied, "open /srv/agent/.agentboot.lock",
                         "Read-only file system");
  EXPECT_EQ(ExitCodeFor(Stage::kLocal, lock), kExitLocal);
  Error full = MakeError(ErrorCode::kInternal, "write /srv/agent/.agent", "No space left");
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, full), kExitLocal);
  EXPECT_FALSE(WithAdvice(full).advice.empty());
}

TEST(ExitCodeFor, TlsAndServerFailuresHaveTheirOwnCodes) {
  Error tls = MakeError(ErrorCode::kUnavailable, "GET https://x/_apis", "SSL certificate problem",
                        "The server's TLS certificate is not trusted: pass its CA.");
  tls.origin = ErrorOrigin::kTls;  // what libcurl's certificate failures carry (curl_common.cc)
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, tls), kExitTlsUntrusted);
  EXPECT_EQ(ExitCodeFor(Stage::kIdentity, tls), kExitTlsUntrusted);
  Error server = MakeError(ErrorCode::kInternal, "GET https://x/_apis", "HTTP 500");
  server.http_status = 500;
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, server), kExitServerError);
  EXPECT_NE(WithAdvice(server).advice.find("try again later"), std::string::npos);
  Error redirect = MakeError(ErrorCode::kInternal, "GET https://x/_apis", "HTTP 302");
  redirect.http_status = 302;
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, redirect), kExitServerError);
  EXPECT_NE(WithAdvice(redirect).advice.find("--url/AZP_URL"), std::string::npos);
  // Retried-and-still-unavailable stays temporary.
  Error busy = MakeError(ErrorCode::kUnavailable, "GET https://x/_apis", "HTTP 503");
  busy.http_status = 503;
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, busy), kExitTemporary);
}

TEST(ExitCodeFor, TheOriginNotTheWordingDecides) {
  // The same refusal is the identity's or Azure DevOps' by its origin, whatever its context says.
  Error refused = MakeError(ErrorCode::kUnauthenticated, "GET https://x/_apis", "refused");
  EXPECT_EQ(StageOf(refused), Stage::kDevOps);
  EXPECT_EQ(ExitCodeFor(StageOf(refused), refused), kExitDevOpsUnauthenticated);
  refused.origin = ErrorOrigin::kIdentity;
  EXPECT_EQ(StageOf(refused), Stage::kIdentity);
  EXPECT_EQ(ExitCodeFor(StageOf(refused), refused), kExitIdentityRefused);
  Error named = MakeError(ErrorCode::kUnavailable, "identity-like context", "no answer");
  EXPECT_EQ(ExitCodeFor(StageOf(named), named), kExitTemporary);
  named.origin = ErrorOrigin::kIdentity;
  EXPECT_EQ(ExitCodeFor(StageOf(named), named), kExitIdentityUnavailable);
  // An advice that merely mentions certificates does not make an error a TLS failure.
  Error worded = MakeError(ErrorCode::kUnavailable, "GET https://x/_apis", "HTTP 503",
                           "The server's TLS certificate is not trusted: pass its CA.");
  EXPECT_EQ(ExitCodeFor(Stage::kDevOps, worded), kExitTemporary);
}

TEST(ExitCodeForJob, EachResultHasItsCode) {
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kSucceeded), kExitOk);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kSucceededWithIssues), kExitJobSucceededWithIssues);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kFailed), kExitJobFailed);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kCanceled), kExitJobCanceled);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kAbandoned), kExitJobCanceled);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kSkipped), kExitNoJobRan);
  EXPECT_EQ(ExitCodeForJob(devops::JobResult::kNone), kExitNoJobRan);
}

TEST(WithAdvice, EveryErrorGetsASentenceAndOwnAdviceWins) {
  for (const ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
        ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied, ErrorCode::kThrottled,
        ErrorCode::kUnavailable, ErrorCode::kDeadlineExceeded, ErrorCode::kInternal}) {
    const Error plain = WithAdvice(MakeError(code, "GET https://x/_apis", "something"));
    EXPECT_FALSE(plain.advice.empty()) << ErrorCodeName(code);
    EXPECT_EQ(plain.advice.back(), '.') << plain.advice;
  }
  EXPECT_EQ(WithAdvice(MakeError(ErrorCode::kInternal, "c", "d", "Do this.")).advice, "Do this.");
}

}  // namespace
}  // namespace agentboot::cli

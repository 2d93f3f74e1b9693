// agentboot::base — Errors as values: ErrorCode, Error, Result and Status. Included through
// agentboot/base.h.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace agentboot {

// ---------------------------------------------------------------------------------------------
// Errors are values. No exception crosses a public header.

enum class ErrorCode {
  kInvalidArgument,   // bad input or configuration: fix the command line or the environment
  kNotFound,          // a named thing (pool, agent, file) does not exist
  kAlreadyExists,     // e.g. an agent with that name exists and --replace was not given
  kUnauthenticated,   // the credential was refused (401, 203 sign-in page, AADSTS)
  kPermissionDenied,  // authenticated, but not allowed (403)
  kThrottled,         // 429 / rate limited
  kUnavailable,       // the endpoint or identity source is not there or not answering
  kDeadlineExceeded,  // a time limit passed
  kInternal,          // a bug or an unexpected answer
};

std::string_view ErrorCodeName(ErrorCode code) noexcept;

// Who failed, as far as the code that made or passed on the error knows: the exit code depends on
// it (an identity's refusal is not Azure DevOps' refusal), so it is set where that is known, never
// read back from the context or message text.
enum class ErrorOrigin {
  kUnspecified,  // not said: a server's or a local step's failure, judged by its code
  kIdentity,     // the identity source (managed identity endpoint, Entra, az, the PAT file)
  kTls,          // a server's TLS certificate was not trusted (whichever server it was)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string context;  // what was being done: "GET …/connectionData", "read /path"
  std::string detail;   // what went wrong, for logs (never a secret)
  std::string advice;   // one actionable sentence for the user; may be empty
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;  // from the server, when it said so
  int http_status = 0;                                   // 0 when not an HTTP answer
  ErrorOrigin origin = ErrorOrigin::kUnspecified;

  // "context: detail" and, when present, " — advice".
  std::string ToString() const;
};

Error MakeError(ErrorCode code, std::string context, std::string detail, std::string advice = {});

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string context, std::string detail,
                                  std::string advice = {}) {
  return tl::unexpected<Error>(
      MakeError(code, std::move(context), std::move(detail), std::move(advice)));
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace agentboot

#include "errors.h"

#include "wire.h"

namespace agentboot::devops::detail {
namespace {

std::string ContentType(const http::Response& response) {
  return response.Header("Content-Type").value_or("no content type");
}

Error SignInPage(const http::Response& response, const std::string& context) {
  Error error = MakeError(ErrorCode::kUnauthenticated, context,
                          "Azure DevOps answered with a sign-in page instead of JSON (HTTP " +
                              std::to_string(response.status) + ", " + ContentType(response) +
                              "): the token was not accepted",
                          std::string(kLicenceAdvice));
  error.http_status = response.status;
  return error;
}

// "HTTP 404: Agent pool not found (TaskAgentPoolNotFoundException)".
std::string Describe(const http::Response& response, const std::optional<WrappedException>& w) {
  std::string text = "HTTP " + std::to_string(response.status);
  if (w && !w->message.empty()) text += ": " + w->message;
  if (w && !w->type_key.empty()) text += " (" + w->type_key + ")";
  // The service explains auth failures in this header, URL-encoded ("TF400813%3a+The+user…").
  // Often the same sentence as the body's message (TF401444): said once.
  if (const auto service_error = response.Header("X-TFS-ServiceError")) {
    const std::string decoded = UrlDecode(*service_error);
    if (text.find(decoded) == std::string::npos) text += "; " + decoded;
  }
  return text;
}

ErrorCode CodeFor(int status, const std::string& type_key) {
  if (StartsWith(type_key, "AccessDenied") || status == 403) return ErrorCode::kPermissionDenied;
  if (status == 401 || type_key == "UnauthorizedRequestException") {
    return ErrorCode::kUnauthenticated;
  }
  if (type_key == "TaskAgentExistsException" || status == 409 ||
      type_key == "TaskAgentJobStillRunningException") {
    return ErrorCode::kAlreadyExists;
  }
  if (EndsWith(type_key, "NotFoundException") || status == 404) return ErrorCode::kNotFound;
  if (status == 429) return ErrorCode::kThrottled;
  if (status == 502 || status == 503 || status == 504) return ErrorCode::kUnavailable;
  if (status >= 400 && status < 500) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

std::string AdviceFor(ErrorCode code, const std::string& type_key) {
  switch (code) {
    case ErrorCode::kUnauthenticated:
      return std::string(kLicenceAdvice);
    case ErrorCode::kPermissionDenied:
      return std::string(kPoolAdminAdvice);
    case ErrorCode::kNotFound:
      if (type_key == "TaskAgentPoolNotFoundException") {
        return "Check the pool name; the identity must be able to see the pool.";
      }
      return {};
    case ErrorCode::kAlreadyExists:
      if (type_key == "TaskAgentJobStillRunningException") {
        return "Wait for the job to finish, or use `agentboot drain`: it lets the job finish, "
               "then deregisters.";
      }
      return "Pass --replace to take over the existing agent, or choose another --agent-name.";
    case ErrorCode::kThrottled:
      return "Azure DevOps rate-limits this identity: wait and try again, or spread out "
             "registrations.";
    default:
      return {};
  }
}

}  // namespace

bool IsSignInPage(const http::Response& response) {
  if (response.status == 203) return true;
  return response.status >= 200 && response.status < 300 && !response.body.empty() &&
         !response.IsJson();
}

Error ErrorFromResponse(const http::Response& response, const std::string& context, TimePoint now) {
  if (IsSignInPage(response)) return SignInPage(response, context);
  const auto wrapped = ParseWrappedException(response.body);
  const std::string type_key = wrapped ? wrapped->type_key : std::string();
  const ErrorCode code = CodeFor(response.status, type_key);
  Error error = MakeError(code, context, Describe(response, wrapped), AdviceFor(code, type_key));
  error.http_status = response.status;
  const int s = response.status;
  error.retryable = s == 429 || s == 502 || s == 503 || s == 504;
  if (error.retryable) error.retry_after = http::ServerRequestedDelay(response, now);
  return error;
}

}  // namespace agentboot::devops::detail

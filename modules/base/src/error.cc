#include "agentboot/base.h"

namespace agentboot {

std::string_view ErrorCodeName(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kThrottled:
      return "throttled";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string text = context.empty() ? detail : context + ": " + detail;
  if (!advice.empty()) text += " — " + advice;
  return text;
}

Error MakeError(ErrorCode code, std::string context, std::string detail, std::string advice) {
  Error error;
  error.code = code;
  error.context = std::move(context);
  error.detail = std::move(detail);
  error.advice = std::move(advice);
  error.retryable = code == ErrorCode::kUnavailable || code == ErrorCode::kThrottled ||
                    code == ErrorCode::kDeadlineExceeded;
  return error;
}

std::optional<std::string> Environment::GetNonEmpty(std::string_view name) const {
  auto value = Get(name);
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace agentboot

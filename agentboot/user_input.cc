#include "user_input.h"

#include <filesystem>
#include <functional>

namespace agentboot::cli {
namespace {

constexpr std::string_view kUrlAdvice =
    "Give the organization URL with its scheme, e.g. --url https://dev.azure.com/contoso (or "
    "export AZP_URL).";

bool HasWhitespaceOrControl(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// The value is quoted in the detail (the command line's own message names the option), except
// what may hold a password.
Status BadUrl(std::string_view shown, const std::string& detail) {
  return Fail(ErrorCode::kInvalidArgument, "--url/AZP_URL",
              "'" + std::string(shown) + "' " + detail, std::string(kUrlAdvice));
}

CLI::Validator Transform(std::function<Result<std::string>(std::string_view)> check,
                         std::string description) {
  return CLI::Validator(
      [check = std::move(check)](std::string& value) -> std::string {
        auto normal = check(value);
        if (!normal) return normal.error().detail + "\n" + normal.error().advice;
        value = std::move(*normal);
        return {};
      },
      std::move(description));
}

}  // namespace

Result<std::string> NormalizeOrganizationUrl(std::string_view text) {
  if (HasWhitespaceOrControl(text)) {
    // Often a stray newline from `echo` into a file, or a space when pasting.
    return Fail(BadUrl(text, "contains whitespace or a control character").error());
  }
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return Fail(BadUrl(text, "has no scheme (http:// or https://)").error());
  }
  const std::string scheme = ToLower(text.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") {
    return Fail(BadUrl(text, "has the scheme '" + scheme + "'; only https and http work").error());
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return Fail(BadUrl(text, "has no host name").error());
  if (authority.find('@') != std::string_view::npos) {
    const std::string shown =
        scheme + "://...@" + std::string(authority.substr(authority.rfind('@') + 1));
    return Fail(
        BadUrl(shown, "contains a user name or password; the token is sent separately").error());
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Fail(BadUrl(text, "has a query or fragment").error());
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return scheme + "://" + std::string(rest);
}

Result<std::string> CheckName(std::string_view what, std::string_view text) {
  const std::string context = std::string(what) + " '" + std::string(text) + "'";
  if (text.empty()) {
    return Fail(ErrorCode::kInvalidArgument, context, "is empty", "Give a non-empty name.");
  }
  if (text.size() > 256) {
    return Fail(ErrorCode::kInvalidArgument, context, "is longer than 256 bytes",
                "Choose a shorter name.");
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return Fail(ErrorCode::kInvalidArgument, context, "contains a control character",
                  "Remove the control character (often a newline from a file or variable).");
    }
  }
  if (text.front() == ' ' || text.back() == ' ') {
    return Fail(ErrorCode::kInvalidArgument, context, "begins or ends with a space",
                "Remove the surrounding spaces.");
  }
  return std::string(text);
}

Result<std::string> AbsolutePath(std::string_view text) {
  if (text.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "path", "is empty", "Give a directory.");
  }
  std::error_code error;
  const auto absolute = std::filesystem::absolute(std::filesystem::path(text), error);
  if (error) {
    return Fail(ErrorCode::kInvalidArgument, "path '" + std::string(text) + "'", error.message(),
                "Give an absolute path.");
  }
  std::string normal = absolute.lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

CLI::Validator OrganizationUrlValidator() {
  return Transform([](std::string_view text) { return NormalizeOrganizationUrl(text); }, "URL");
}

CLI::Validator NameValidator(std::string what) {
  return Transform([what](std::string_view text) { return CheckName(what, text); }, "NAME");
}

CLI::Validator AbsolutePathValidator() {
  return Transform([](std::string_view text) { return AbsolutePath(text); }, "DIR");
}

}  // namespace agentboot::cli

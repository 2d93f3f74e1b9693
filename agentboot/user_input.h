// Checks and normal forms for what a user types or exports (URLs, names, paths), applied when the
// command line is parsed, so a bad value is refused before the first network call. Each failure
// is two lines: what is wrong, then what to do.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "agentboot/base.h"

namespace agentboot::cli {

// An organization URL: http or https, a host, no whitespace, no user or password, no query or
// fragment; returned without a trailing slash ("https://dev.azure.com/contoso").
[[nodiscard]] Result<std::string> NormalizeOrganizationUrl(std::string_view text);

// A pool or agent name: not empty, no surrounding or control characters, at most 256 bytes.
[[nodiscard]] Result<std::string> CheckName(std::string_view what, std::string_view text);

// The path made absolute against the current directory (the listener starts in the agent
// directory, so a relative path would no longer mean the same place).
[[nodiscard]] Result<std::string> AbsolutePath(std::string_view text);

// CLI11 transforms around the above: the value is replaced by its normal form, and a failure
// becomes "<what is wrong>\n<what to do>" in CLI11's ValidationError.
CLI::Validator OrganizationUrlValidator();
CLI::Validator NameValidator(std::string what);
CLI::Validator AbsolutePathValidator();

}  // namespace agentboot::cli

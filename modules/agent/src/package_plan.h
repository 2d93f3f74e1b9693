// Pure decisions behind PrepareAgent (private to agentboot::agent): which step to take, the
// cache marker format, version ordering and the names derived from server data.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentboot/agent.h"
#include "agentboot/base.h"

namespace agentboot::agent::detail {

inline constexpr char kMarkerFile[] = ".agentboot-package";

enum class PlanStep {
  kUsePrebaked,     // the root has its own bin/ with a listener
  kUsePinnedCache,  // the pinned version is complete in the cache
  kUsePackageSource,
  kAskServer,
};

struct PlanInputs {
  bool root_is_prebaked = false;
  bool pinned_version_cached = false;
};

PlanStep ChoosePlan(const PackageOptions& options, const PlanInputs& inputs);

struct PackageMarker {
  std::string version;
  std::string sha256;  // lower-case hex
};

std::string FormatMarker(const PackageMarker& marker);
// kInvalidArgument unless both keys are present and the version is safe.
[[nodiscard]] Result<PackageMarker> ParseMarker(std::string_view text);

// A version becomes a directory name: only [0-9A-Za-z._-], not starting with '.', ≤ 64 chars.
bool IsSafeVersion(std::string_view version) noexcept;

// Numeric comparison of dot-separated parts ("4.260.0" > "4.99.1"); a non-numeric part compares
// as text. Negative, zero or positive.
int CompareVersions(std::string_view a, std::string_view b);
std::optional<std::string> NewestVersion(const std::vector<std::string>& versions);

// The last path segment of a URL without query or fragment, when it is a safe file name; else
// "agent-package.tar.gz".
std::string FileNameFromUrl(std::string_view url);
bool IsHttpUrl(std::string_view source);

// Lower-case hex without '-' (the form stored in markers).
std::string NormalizeHash(std::string_view hash);

}  // namespace agentboot::agent::detail

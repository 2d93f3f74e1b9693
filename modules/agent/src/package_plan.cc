#include "package_plan.h"

#include <algorithm>
#include <cctype>

namespace agentboot::agent::detail {
namespace {

bool IsSafeNameChar(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

bool IsSafeName(std::string_view name, size_t max) noexcept {
  return !name.empty() && name.size() <= max && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), IsSafeNameChar);
}

}  // namespace

PlanStep ChoosePlan(const PackageOptions& options, const PlanInputs& inputs) {
  if (inputs.root_is_prebaked) return PlanStep::kUsePrebaked;
  if (!options.pinned_version.empty() && inputs.pinned_version_cached) {
    return PlanStep::kUsePinnedCache;
  }
  if (!options.package_source.empty()) return PlanStep::kUsePackageSource;
  return PlanStep::kAskServer;
}

std::string FormatMarker(const PackageMarker& marker) {
  return "version=" + marker.version + "\nsha256=" + marker.sha256 + "\n";
}

Result<PackageMarker> ParseMarker(std::string_view text) {
  PackageMarker marker;
  for (const std::string& line : Split(text, '\n')) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = Trim(std::string_view(line).substr(0, eq));
    const std::string value = Trim(std::string_view(line).substr(eq + 1));
    if (key == "version") marker.version = value;
    if (key == "sha256") marker.sha256 = NormalizeHash(value);
  }
  if (!IsSafeVersion(marker.version) || marker.sha256.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "package marker", "version or sha256 missing");
  }
  return marker;
}

bool IsSafeVersion(std::string_view version) noexcept { return IsSafeName(version, 64); }

int CompareVersions(std::string_view a, std::string_view b) {
  const std::vector<std::string> left = Split(a, '.');
  const std::vector<std::string> right = Split(b, '.');
  for (size_t i = 0; i < std::max(left.size(), right.size()); ++i) {
    const std::string l = i < left.size() ? left[i] : "0";
    const std::string r = i < right.size() ? right[i] : "0";
    const auto ln = ParseInt64(l);
    const auto rn = ParseInt64(r);
    if (ln && rn) {
      if (*ln != *rn) return *ln < *rn ? -1 : 1;
    } else if (l != r) {
      return l < r ? -1 : 1;
    }
  }
  return 0;
}

std::optional<std::string> NewestVersion(const std::vector<std::string>& versions) {
  if (versions.empty()) return std::nullopt;
  return *std::max_element(versions.begin(), versions.end(),
                           [](const auto& x, const auto& y) { return CompareVersions(x, y) < 0; });
}

std::string FileNameFromUrl(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t slash = url.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? url : url.substr(slash + 1);
  return IsSafeName(name, 200) ? std::string(name) : "agent-package.tar.gz";
}

bool IsHttpUrl(std::string_view source) {
  const std::string lower = ToLower(source.substr(0, 8));
  return StartsWith(lower, "http://") || StartsWith(lower, "https://");
}

std::string NormalizeHash(std::string_view hash) {
  std::string out;
  for (const char c : hash) {
    if (c != '-') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace agentboot::agent::detail

namespace agentboot::agent {

std::string DefaultCacheDir(const Environment& vars, bool is_root) {
  const auto absolute = [&vars](std::string_view name) -> std::optional<std::string> {
    auto value = vars.GetNonEmpty(name);
    if (value && StartsWith(*value, "/")) return value;
    return std::nullopt;
  };
  if (auto dir = absolute("AGENTBOOT_CACHE_DIR")) return *dir;
  if (is_root) return "/var/cache/agentboot";
  if (auto xdg = absolute("XDG_CACHE_HOME")) return *xdg + "/agentboot";
  if (auto home = absolute("HOME")) return *home + "/.cache/agentboot";
  return "/var/tmp/agentboot";
}

bool HashesEqual(std::string_view a, std::string_view b) {
  const std::string left = detail::NormalizeHash(a);
  return !left.empty() && left == detail::NormalizeHash(b);
}

std::map<std::string, std::string> ListenerEnvironmentForPin(bool pinned) {
  if (!pinned) return {};
  return {{std::string(kDisableUpdateVariable), "true"}};
}

}  // namespace agentboot::agent

// The pure decisions of the package step: which source to use, hashes, markers, versions and
// the default cache directory.
#include "package_plan.h"

#include <gtest/gtest.h>

#include "agentboot/agent.h"
#include "agentboot/base_testing.h"

namespace agentboot::agent {
namespace {

using detail::ChoosePlan;
using detail::PlanInputs;
using detail::PlanStep;

TEST(PackagePlan, PrebakedRootWinsOverEverything) {
  PackageOptions options;
  options.pinned_version = "4.260.0";
  options.package_source = "/tmp/agent.tar.gz";
  EXPECT_EQ(ChoosePlan(options, PlanInputs{true, true}), PlanStep::kUsePrebaked);
}

TEST(PackagePlan, CachedPinNeedsNoNetworkEvenWithAPackageSource) {
  PackageOptions options;
  options.pinned_version = "4.260.0";
  options.package_source = "https://example.test/agent.tar.gz";
  EXPECT_EQ(ChoosePlan(options, PlanInputs{false, true}), PlanStep::kUsePinnedCache);
}

TEST(PackagePlan, PackageSourceBeforeServerAndServerLast) {
  PackageOptions options;
  options.pinned_version = "4.260.0";
  EXPECT_EQ(ChoosePlan(options, PlanInputs{false, false}), PlanStep::kAskServer);
  options.package_source = "/tmp/agent.tar.gz";
  EXPECT_EQ(ChoosePlan(options, PlanInputs{false, false}), PlanStep::kUsePackageSource);
  // "cached" without a pin means nothing: there is no version to look up.
  EXPECT_EQ(ChoosePlan(PackageOptions{}, PlanInputs{false, true}), PlanStep::kAskServer);
}

TEST(PackageHashes, CompareIgnoringCaseAndDashes) {
  EXPECT_TRUE(HashesEqual("AB-CD-0F", "abcd0f"));
  EXPECT_TRUE(HashesEqual("abcd0f", "ABCD0F"));
  EXPECT_FALSE(HashesEqual("abcd0f", "abcd0e"));
  EXPECT_FALSE(HashesEqual("", ""));
  EXPECT_FALSE(HashesEqual("--", ""));
}

TEST(PackageMarker, RoundTripsAndNormalizesTheHash) {
  const std::string text = detail::FormatMarker({"4.260.0", "abc123"});
  EXPECT_EQ(text, "version=4.260.0\nsha256=abc123\n");
  const auto parsed = detail::ParseMarker("version = 4.260.0\nsha256=AB-C1-23\nextra=1\n");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->version, "4.260.0");
  EXPECT_EQ(parsed->sha256, "abc123");
}

TEST(PackageMarker, RejectsMissingKeysAndUnsafeVersions) {
  EXPECT_FALSE(detail::ParseMarker("version=4.260.0\n").has_value());
  EXPECT_FALSE(detail::ParseMarker("sha256=abc\n").has_value());
  EXPECT_FALSE(detail::ParseMarker("version=../etc\nsha256=abc\n").has_value());
  EXPECT_EQ(detail::ParseMarker("").error().code, ErrorCode::kInvalidArgument);
}

TEST(PackageVersions, SafeVersionsAreDirectoryNames) {
  EXPECT_TRUE(detail::IsSafeVersion("4.260.0"));
  EXPECT_TRUE(detail::IsSafeVersion("4.261.0-rc1"));
  EXPECT_FALSE(detail::IsSafeVersion(""));
  EXPECT_FALSE(detail::IsSafeVersion(".."));
  EXPECT_FALSE(detail::IsSafeVersion("4/260"));
  EXPECT_FALSE(detail::IsSafeVersion("4.260.0 "));
}

TEST(PackageVersions, CompareNumericallyAndPickTheNewest) {
  EXPECT_GT(detail::CompareVersions("4.260.0", "4.99.1"), 0);
  EXPECT_LT(detail::CompareVersions("3.248.0", "4.0.0"), 0);
  EXPECT_EQ(detail::CompareVersions("4.260", "4.260.0"), 0);
  EXPECT_EQ(detail::NewestVersion({"4.99.1", "4.260.0", "3.248.0"}), "4.260.0");
  EXPECT_EQ(detail::NewestVersion({}), std::nullopt);
}

TEST(PackageNames, FileNameComesFromTheUrlPathOnly) {
  EXPECT_EQ(detail::FileNameFromUrl("https://download.agent.dev.azure.com/agent/4.260.0/"
                                    "vsts-agent-linux-x64-4.260.0.tar.gz?sig=secret#frag"),
            "vsts-agent-linux-x64-4.260.0.tar.gz");
  EXPECT_EQ(detail::FileNameFromUrl("https://host/"), "agent-package.tar.gz");
  EXPECT_EQ(detail::FileNameFromUrl("https://host/.."), "agent-package.tar.gz");
  EXPECT_TRUE(detail::IsHttpUrl("HTTPS://host/a.tar.gz"));
  EXPECT_FALSE(detail::IsHttpUrl("/srv/agent.tar.gz"));
}

TEST(DefaultCacheDir, ExplicitVariableWinsThenRootThenXdgThenHome) {
  testing::FakeEnvironment vars{{"AGENTBOOT_CACHE_DIR", "/data/cache"},
                                {"XDG_CACHE_HOME", "/home/u/.xdg"},
                                {"HOME", "/home/u"}};
  EXPECT_EQ(DefaultCacheDir(vars, true), "/data/cache");
  vars.Unset("AGENTBOOT_CACHE_DIR");
  EXPECT_EQ(DefaultCacheDir(vars, true), "/var/cache/agentboot");
  EXPECT_EQ(DefaultCacheDir(vars, false), "/home/u/.xdg/agentboot");
  vars.Set("XDG_CACHE_HOME", "relative");  // the XDG spec says to ignore relative paths
  EXPECT_EQ(DefaultCacheDir(vars, false), "/home/u/.cache/agentboot");
  vars.Unset("HOME");
  EXPECT_EQ(DefaultCacheDir(vars, false), "/var/tmp/agentboot");
}

TEST(ListenerEnvironmentForPin, DisablesSelfUpdateOnlyWhenPinned) {
  EXPECT_TRUE(ListenerEnvironmentForPin(false).empty());
  const auto env = ListenerEnvironmentForPin(true);
  ASSERT_EQ(env.size(), 1U);
  EXPECT_EQ(env.at("agent.disableupdate"), "true");
}

}  // namespace
}  // namespace agentboot::agent

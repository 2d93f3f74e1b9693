// Sha256Hasher and the FakeDownloader that agent tests rely on.
#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/http.h"
#include "agentboot/http_testing.h"

namespace agentboot::http {
namespace {

TEST(Sha256, MatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, IncrementalUpdatesEqualOneShotAndHasherResets) {
  Sha256Hasher hasher;
  hasher.Update("a");
  hasher.Update("");
  hasher.Update("bc");
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex("abc"));
  hasher.Update("abc");
  EXPECT_EQ(hasher.FinishHex(), Sha256Hex("abc"));
}

TEST(FakeDownloader, WritesServedBodyAndReportsHashAndProgress) {
  agentboot::testing::MemFileSystem fs;
  testing::FakeDownloader downloader(fs);
  downloader.Serve("https://cdn/pkg.tar.gz", "payload");
  Request request;
  request.url = "https://cdn/pkg.tar.gz";
  uint64_t reported = 0;
  const auto result = downloader.Download(request, "/cache/pkg.tar.gz",
                                          [&](uint64_t done, uint64_t) { reported = done; });
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->bytes, 7U);
  EXPECT_EQ(result->sha256_hex, Sha256Hex("payload"));
  EXPECT_EQ(reported, 7U);
  EXPECT_EQ(fs.ReadFile("/cache/pkg.tar.gz").value(), "payload");
}

TEST(FakeDownloader, UnknownUrlIs404AndScriptedFailureIsReturnedOnce) {
  agentboot::testing::MemFileSystem fs;
  testing::FakeDownloader downloader(fs);
  downloader.FailNext(ErrorCode::kUnavailable);
  Request request;
  request.url = "https://cdn/missing";
  const auto failed = downloader.Download(request, "/d", {});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  const auto missing = downloader.Download(request, "/d", {});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_FALSE(fs.Exists("/d"));
  EXPECT_EQ(downloader.download_count(), 2U);
}

}  // namespace
}  // namespace agentboot::http

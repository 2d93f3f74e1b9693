#include <gtest/gtest.h>

#include "agentboot/base_testing.h"
#include "agentboot/oidc.h"

#include "fixed_key.h"

namespace agentboot::oidc {
namespace {

constexpr std::string_view kFixedKid = "C1iP_fBXmzOFM8VysNhNia36ZdsltWhOJU8XkiXlUkQ";

TEST(ParseKeys, ReadsEveryFormKubernetesAccepts) {
  for (std::string_view pem :
       {testing::kPkcs8Private, testing::kPkcs1Private, testing::kPublic, testing::kCertificate}) {
    auto keys = ParseKeys(pem, "key");
    ASSERT_TRUE(keys) << keys.error().ToString();
    ASSERT_EQ(keys->size(), 1U);
    EXPECT_EQ(jose::KeyId(keys->front()), kFixedKid);
  }
  EXPECT_TRUE(ParseKeys(testing::kPkcs8Private, "k")->front().has_private());
  EXPECT_FALSE(ParseKeys(testing::kCertificate, "k")->front().has_private());
}

TEST(ParseKeys, SkipsBlocksThatAreNotKeys) {
  const std::string text =
      "comment line\n-----BEGIN SOMETHING ELSE-----\nAAAA\n"
      "-----END SOMETHING ELSE-----\n" +
      std::string(testing::kPublic);
  auto keys = ParseKeys(text, "mixed.pem");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), 1U);
}

TEST(ParseKeys, RefusesPkcs1PublicKeysWithTheConversionCommand) {
  auto keys = ParseKeys(testing::kPkcs1Public, "rsa.pub");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(keys.error().context, "rsa.pub");
  EXPECT_NE(keys.error().advice.find("openssl rsa -RSAPublicKey_in -pubout"), std::string::npos);
}

TEST(ParseKeys, RefusesTextWithoutKeys) {
  auto keys = ParseKeys("not a key", "x");
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().advice.find("PKCS#8"), std::string::npos);
}

TEST(LoadKeys, AMissingFileIsABadArgument) {
  agentboot::testing::MemFileSystem fs;
  auto keys = LoadKeys(fs, "/nowhere/sa.pub");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, ErrorCode::kInvalidArgument);
}

TEST(WriteKeyFiles, WritesAPrivateKeyOwnerOnlyAndThePublicKeyReadable) {
  agentboot::testing::MemFileSystem fs;
  auto key = ParseKeys(testing::kPkcs8Private, "k");
  ASSERT_TRUE(key);
  auto files = WriteKeyFiles(fs, "/keys", key->front());
  ASSERT_TRUE(files) << files.error().ToString();
  EXPECT_EQ(files->kid, kFixedKid);
  EXPECT_EQ(files->private_path, "/keys/sa-C1iP_fBXmzOF.key");
  EXPECT_EQ(files->public_path, "/keys/sa-C1iP_fBXmzOF.pub");
  EXPECT_EQ(fs.ModeOf(files->private_path), 0600U);
  EXPECT_EQ(fs.ModeOf(files->public_path), 0644U);
  auto reread = LoadKeys(fs, files->private_path);
  ASSERT_TRUE(reread);
  EXPECT_TRUE(reread->front().has_private());
  EXPECT_EQ(jose::KeyId(reread->front()), kFixedKid);
}

TEST(WriteKeyFiles, NeverOverwrites) {
  agentboot::testing::MemFileSystem fs;
  auto key = ParseKeys(testing::kPkcs8Private, "k");
  ASSERT_TRUE(key);
  fs.Put("/keys/sa-C1iP_fBXmzOF.pub", "old");
  auto files = WriteKeyFiles(fs, "/keys", key->front());
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(*fs.ReadFile("/keys/sa-C1iP_fBXmzOF.pub"), "old");
  EXPECT_FALSE(fs.Exists("/keys/sa-C1iP_fBXmzOF.key"));
}

TEST(WriteKeyFiles, APublicKeyGetsOnlyAPublicFile) {
  agentboot::testing::MemFileSystem fs;
  auto key = ParseKeys(testing::kCertificate, "k");
  ASSERT_TRUE(key);
  auto files = WriteKeyFiles(fs, "/keys", key->front());
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->private_path.empty());
  EXPECT_TRUE(fs.Exists(files->public_path));
}

}  // namespace
}  // namespace agentboot::oidc

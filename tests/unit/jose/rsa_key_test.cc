#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "agentboot/jose.h"

#include "test_keys.h"

namespace agentboot::jose {
namespace {

using testing::OtherTestKey;
using testing::TestKey;

TEST(RsaKey, GenerateRejectsKeysBelow2048Bits) {
  auto key = RsaKey::Generate(1024);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

TEST(RsaKey, GeneratedKeyHasPrivatePartAndRequestedSize) {
  EXPECT_TRUE(TestKey().has_private());
  EXPECT_EQ(TestKey().bits(), 2048);
  const RsaComponents c = TestKey().Components();
  EXPECT_EQ(c.n.size(), 256u);
  EXPECT_EQ(c.e, (Bytes{0x01, 0x00, 0x01}));
  EXPECT_FALSE(c.d.empty());
  EXPECT_FALSE(c.qi.empty());
}

TEST(RsaKey, SignatureVerifiesOnlyForSameDataAndKey) {
  auto signature = TestKey().SignSha256("payload");
  ASSERT_TRUE(signature);
  EXPECT_EQ(signature->size(), 256u);
  EXPECT_TRUE(TestKey().VerifySha256("payload", *signature));
  EXPECT_FALSE(TestKey().VerifySha256("payload2", *signature));
  EXPECT_FALSE(OtherTestKey().VerifySha256("payload", *signature));
}

TEST(RsaKey, FromComponentsRoundTripsPrivateKey) {
  const RsaComponents c = TestKey().Components();
  auto copy = RsaKey::FromComponents(c);
  ASSERT_TRUE(copy) << copy.error().ToString();
  EXPECT_TRUE(copy->has_private());
  EXPECT_EQ(copy->PublicDer(), TestKey().PublicDer());
  const RsaComponents again = copy->Components();
  EXPECT_EQ(again.d, c.d);
  EXPECT_EQ(again.p, c.p);
  EXPECT_EQ(again.qi, c.qi);
  auto signature = copy->SignSha256("x");
  ASSERT_TRUE(signature);
  EXPECT_TRUE(TestKey().VerifySha256("x", *signature));
}

TEST(RsaKey, FromComponentsAcceptsLeadingZeroBytes) {
  RsaComponents c = TestKey().Components();
  c.d.insert(c.d.begin(), 3, 0);
  c.p.insert(c.p.begin(), 0);
  auto copy = RsaKey::FromComponents(c);
  ASSERT_TRUE(copy) << copy.error().ToString();
  EXPECT_EQ(copy->Components().d, TestKey().Components().d);
}

TEST(RsaKey, FromComponentsBuildsPublicKeyWhenDIsEmpty) {
  const RsaComponents full = TestKey().Components();
  RsaComponents public_only;
  public_only.n = full.n;
  public_only.e = full.e;
  auto pub = RsaKey::FromComponents(public_only);
  ASSERT_TRUE(pub);
  EXPECT_FALSE(pub->has_private());
  EXPECT_TRUE(pub->PrivatePem().empty());
  EXPECT_TRUE(pub->Components().d.empty());
  EXPECT_FALSE(pub->SignSha256("x"));
  EXPECT_TRUE(pub->VerifySha256("x", TestKey().SignSha256("x").value()));
}

TEST(RsaKey, FromComponentsRejectsInconsistentPrivateKey) {
  RsaComponents c = TestKey().Components();
  c.d.back() ^= 0x01;
  auto broken = RsaKey::FromComponents(c);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
}

TEST(RsaKey, FromComponentsRejectsIncompletePrivateKey) {
  RsaComponents c = TestKey().Components();
  c.qi.clear();
  EXPECT_FALSE(RsaKey::FromComponents(c));
  EXPECT_FALSE(RsaKey::FromComponents({}));
}

TEST(RsaKey, FromPemReadsPkcs8PrivateKey) {
  const Secret pem = TestKey().PrivatePem();
  ASSERT_TRUE(StartsWith(pem.Reveal(), "-----BEGIN PRIVATE KEY-----"));
  auto key = RsaKey::FromPem(pem.Reveal());
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_TRUE(key->has_private());
  EXPECT_EQ(key->Components().d, TestKey().Components().d);
}

TEST(RsaKey, FromPemReadsSpkiPublicKey) {
  const std::string pem = TestKey().PublicPem();
  ASSERT_TRUE(StartsWith(pem, "-----BEGIN PUBLIC KEY-----"));
  auto key = RsaKey::FromPem(pem);
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->has_private());
  EXPECT_EQ(key->PublicDer(), TestKey().PublicDer());
}

TEST(RsaKey, FromPemReadsPkcs1PrivateKey) {
  // Write the traditional "RSA PRIVATE KEY" form with OpenSSL directly.
  const Secret pkcs8 = TestKey().PrivatePem();
  BIO* in = BIO_new_mem_buf(pkcs8.Reveal().data(), static_cast<int>(pkcs8.Reveal().size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(out, pkey, nullptr, nullptr, 0, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const std::string pkcs1(data, static_cast<size_t>(size));
  BIO_free(out);
  BIO_free(in);
  EVP_PKEY_free(pkey);
  ASSERT_TRUE(StartsWith(pkcs1, "-----BEGIN RSA PRIVATE KEY-----"));
  auto key = RsaKey::FromPem(pkcs1);
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->PublicDer(), TestKey().PublicDer());
}

TEST(RsaKey, FromPemRejectsGarbageAndUnknownLabels) {
  EXPECT_FALSE(RsaKey::FromPem("not a pem"));
  auto unknown = RsaKey::FromPem("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("FOO"), std::string::npos);
  EXPECT_FALSE(RsaKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
}

TEST(RsaKey, MoveTransfersOwnership) {
  auto key = RsaKey::Generate();
  ASSERT_TRUE(key);
  const std::string der = key->PublicDer();
  RsaKey moved = std::move(*key);
  EXPECT_EQ(moved.PublicDer(), der);
}

}  // namespace
}  // namespace agentboot::jose

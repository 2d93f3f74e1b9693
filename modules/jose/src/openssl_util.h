// Private helpers shared by the jose implementation files: RAII handles for OpenSSL objects and
// the conversion of OpenSSL's error queue into an Error value.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include "agentboot/base.h"
#include "agentboot/jose.h"

namespace agentboot::jose::detail {

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

// Drains OpenSSL's (thread-local) error queue into one Error so a later call does not report a
// stale failure.
Error OpensslError(ErrorCode code, std::string context);

// A read-only memory BIO over `data`; `data` must outlive the BIO.
BioPtr MemBio(std::string_view data);
// Everything written to a memory BIO.
std::string BioContents(BIO* bio);

BnPtr BytesToBn(const Bytes& bytes);
Bytes BnToBytes(const BIGNUM* bn);

}  // namespace agentboot::jose::detail

namespace agentboot::jose {

struct RsaKey::Impl {
  detail::PkeyPtr pkey;
  bool has_private = false;
};

}  // namespace agentboot::jose

// SHA-256 over OpenSSL's EVP interface, fed in pieces as a download streams in.
#include <openssl/evp.h>

#include "agentboot/http.h"

namespace agentboot::http {

struct Sha256Hasher::State {
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx{EVP_MD_CTX_new()};
  void Reset() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) { state_->Reset(); }

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size());
}

std::string Sha256Hasher::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE] = {};
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->ctx.get(), digest, &length);
  state_->Reset();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4U]);
    hex.push_back(kHex[digest[i] & 0x0FU]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.FinishHex();
}

}  // namespace agentboot::http

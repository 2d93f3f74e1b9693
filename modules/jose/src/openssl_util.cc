#include "openssl_util.h"

#include <array>
#include <climits>

#include <openssl/err.h>

namespace agentboot::jose::detail {

Error OpensslError(ErrorCode code, std::string context) {
  std::string detail;
  unsigned long err = 0;
  while ((err = ERR_get_error()) != 0) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(err, buffer.data(), buffer.size());
    if (!detail.empty()) detail += "; ";
    detail += buffer.data();
  }
  if (detail.empty()) detail = "OpenSSL call failed";
  return MakeError(code, std::move(context), std::move(detail));
}

BioPtr MemBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(size));
}

BnPtr BytesToBn(const Bytes& bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BnPtr(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

Bytes BnToBytes(const BIGNUM* bn) {
  if (bn == nullptr) return {};
  Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
  if (!out.empty()) BN_bn2bin(bn, out.data());
  return out;
}

}  // namespace agentboot::jose::detail

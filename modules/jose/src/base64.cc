// Base64 (RFC 4648 §4) and base64url (§5), and SHA-256. Hand-written rather than OpenSSL's
// EVP_EncodeBlock because that one inserts no padding choice, accepts no URL alphabet and
// silently tolerates garbage.

#include <array>

#include <openssl/evp.h>

#include "agentboot/jose.h"

namespace agentboot::jose {
namespace {

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode(const uint8_t* data, size_t size, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const size_t rest = size - i;
  if (rest == 0) return out;
  uint32_t v = uint32_t{data[i]} << 16;
  if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
  out += alphabet[(v >> 18) & 63];
  out += alphabet[(v >> 12) & 63];
  if (rest == 2) out += alphabet[(v >> 6) & 63];
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

Result<std::string> Decode(std::string_view text, std::string_view alphabet, const char* context) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  // Padding is optional, but when present it must complete the last quantum.
  size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (text.size() + padding) % 4 != 0) {
    return Fail(ErrorCode::kInvalidArgument, context, "bad padding");
  }
  if (text.size() % 4 == 1) {
    return Fail(ErrorCode::kInvalidArgument, context, "truncated input");
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int value = table[static_cast<unsigned char>(text[i])];
    if (value < 0) {
      return Fail(ErrorCode::kInvalidArgument, context,
                  "invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

const uint8_t* AsBytes(std::string_view data) {
  return reinterpret_cast<const uint8_t*>(data.data());
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  return Encode(AsBytes(data), data.size(), kStdAlphabet, true);
}
std::string Base64Encode(const Bytes& data) {
  return Encode(data.data(), data.size(), kStdAlphabet, true);
}
std::string Base64UrlEncode(std::string_view data) {
  return Encode(AsBytes(data), data.size(), kUrlAlphabet, false);
}
std::string Base64UrlEncode(const Bytes& data) {
  return Encode(data.data(), data.size(), kUrlAlphabet, false);
}

Result<std::string> Base64Decode(std::string_view text) {
  return Decode(text, kStdAlphabet, "base64 decode");
}
Result<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, kUrlAlphabet, "base64url decode");
}

Bytes Sha256(std::string_view data) {
  Bytes digest(32);
  unsigned int size = 0;
  // EVP_Digest only fails on allocation failure; an all-zero digest would then be returned.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return Bytes(32, 0);
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : Sha256(data)) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

}  // namespace agentboot::jose

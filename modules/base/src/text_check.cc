// Text that ends up in server requests, files with one entry per line and terminals: valid
// UTF-8 and no control characters (security review L2, L9).
#include <array>
#include <cstdio>

#include "agentboot/base.h"

namespace agentboot {
namespace {

// Length of the UTF-8 sequence starting at text[i] (RFC 3629: shortest form, no surrogates,
// at most U+10FFFF), or 0 when it is not a valid one.
size_t SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

std::string Hex(unsigned char c) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "0x%02x", c);
  return buffer.data();
}

}  // namespace

std::string TextProblem(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = SequenceLength(text, i);
    const auto lead = static_cast<unsigned char>(text[i]);
    if (length == 0) {
      return "byte " + std::to_string(i + 1) + " (" + Hex(lead) + ") is not valid UTF-8";
    }
    // C0 controls, DEL and the C1 controls U+0080..U+009F (encoded 0xC2 0x80..0x9F).
    const bool control = lead < 0x20 || lead == 0x7F ||
                         (lead == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0);
    if (control) {
      return "byte " + std::to_string(i + 1) + " is a control character (" + Hex(lead) +
             (lead == '\n'   ? ", a line break"
              : lead == 0x1B ? ", an escape"
                             : "") +
             ")";
    }
    i += length;
  }
  return "";
}

}  // namespace agentboot
